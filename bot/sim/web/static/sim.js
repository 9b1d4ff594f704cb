// wxbot simulator page: type as a follower; every message goes through the real webhook.
// Replies are shown with textContent only, so nothing the bot (or a user) says runs as markup.
"use strict";

const $ = (sel) => document.querySelector(sel);
const sim = { followers: [], openid: null, label: "", history: {}, busy: false };
const STORE = "wxbot-sim-history";
const PURPOSES = { bind: "绑卡", reset: "重置密码", unbind: "解绑" };

async function api(path, options = {}) {
  const init = { headers: { "Content-Type": "application/json" }, ...options };
  const response = await fetch(path, init);
  let data = {};
  try { data = await response.json(); } catch (_) { /* an empty or non-JSON body */ }
  if (!response.ok) throw new Error(data.detail || data.error || `HTTP ${response.status}`);
  return data;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) node.append(child);
  return node;
}

function saveHistory() {
  try { sessionStorage.setItem(STORE, JSON.stringify(sim.history)); } catch (_) { /* full */ }
}

function addBubble(kind, text) {
  (sim.history[sim.openid] ||= []).push({ kind, text });
  saveHistory();
  renderBubble(kind, text);
}

function renderBubble(kind, text) {
  const chat = $("#chat");
  chat.append(el("li", { className: kind }, el("div", { className: "bubble", textContent: text })));
  chat.scrollTop = chat.scrollHeight;
}

function renderChat() {
  $("#chat").replaceChildren();
  for (const { kind, text } of sim.history[sim.openid] || []) renderBubble(kind, text);
  $("#who").textContent = `${sim.label} · ${sim.openid}`;
  for (const button of document.querySelectorAll("#followers button")) {
    button.setAttribute("aria-pressed", String(button.dataset.openid === sim.openid));
  }
}

function choose(openid, label) {
  sim.openid = openid;
  sim.label = label || openid;
  renderChat();
  refresh();
}

async function send(payload, shown, kind = "user") {
  if (sim.busy) return;
  sim.busy = true;
  document.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  addBubble(kind, shown);
  try {
    const result = await api("/sim/api/send", {
      method: "POST", body: JSON.stringify({ user: sim.openid, ...payload }),
    });
    if (result.error) addBubble("error", `平台报错：${result.error}`);
    else if (result.reply) addBubble("bot", result.reply);
    else if (result.reply_type) addBubble("note", `[${result.reply_type} 回复]`);
    else addBubble("note", "（公众号没有回复：success）");
  } catch (error) {
    addBubble("error", `发送失败：${error.message}`);
  } finally {
    sim.busy = false;
    document.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    refresh();
  }
}

async function refresh() {
  try {
    const [state, sms] = await Promise.all([
      api(`/sim/api/state?user=${encodeURIComponent(sim.openid)}`), api("/sim/api/sms"),
    ]);
    const session = state.session;
    $("#state").textContent = session ? `${session.flow} · ${session.state}` : "没有进行中的业务 (idle)";
    renderSms(sms.messages);
  } catch (error) {
    $("#state").textContent = `读取失败：${error.message}`;
  }
}

function renderSms(messages) {
  const list = $("#sms");
  if (!messages.length) {
    list.replaceChildren(el("li", { className: "empty", textContent: "还没有短信" }));
    return;
  }
  list.replaceChildren(...messages.map((m) => el("li", {},
    el("div", { className: "meta", textContent: `${m.name} ${m.phone} · ${PURPOSES[m.purpose] || m.purpose}` }),
    el("span", { className: "code", title: "点击填入输入框", textContent: m.code,
                 onclick: () => fill(m.code) }),
    el("div", { className: "meta", textContent: m.sent_at.replace("T", " ").slice(0, 19) }))));
  list.querySelectorAll("li").forEach((li, i) => { li.dataset.phone = messages[i].phone; });
}

function fill(text) {
  const input = $("#message");
  input.value = text;
  input.focus();
}

function pick(text) {
  return el("span", { className: "pick", textContent: text, title: "点击填入输入框",
                      onclick: () => fill(text) });
}

async function loadSeed() {
  const { people } = await api("/sim/api/seed");
  $("#seed").replaceChildren(...people.map((p) => {
    const notes = [];
    if (p.guardians.length) notes.push(`监护人 ${p.guardians.map((g) => `${g.name}(${g.relation})`).join("、")}`);
    if (p.wards.length) notes.push(`监护 ${p.wards.join("、")}`);
    if (!p.phone_masked) notes.push("无手机");
    const cards = el("td");
    for (const c of p.cards) {
      cards.append(pick(c.card_number));
      if (c.status !== "active" || c.bound) cards.append(` ${c.bound ? "已绑定" : c.status}`);
      cards.append(el("br"));
    }
    return el("tr", {}, el("td", {}, pick(p.name)), el("td", { textContent: String(p.age) }),
      el("td", {}, pick(p.id_number)), cards, el("td", { textContent: notes.join("；") }));
  }));
}

async function init() {
  try { sim.history = JSON.parse(sessionStorage.getItem(STORE)) || {}; } catch (_) { sim.history = {}; }
  const { followers, mode } = await api("/sim/api/followers");
  $("#mode").textContent = mode === "safe" ? " and AES-encrypted (safe mode)" : " (plaintext mode)";
  $("#followers").replaceChildren(...followers.map((f) => el("li", {},
    el("button", { type: "button", onclick: () => choose(f.openid, f.alias) },
      f.alias, el("span", { className: "label", textContent: f.label })))));
  document.querySelectorAll("#followers button").forEach((b, i) => { b.dataset.openid = followers[i].openid; });
  choose(followers[0].openid, followers[0].alias);
  loadSeed().catch(() => {});
  setInterval(() => { if (!document.hidden && !sim.busy) refresh(); }, 3000);
}

$("#composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("#message").value;
  if (!text.trim()) return;
  $("#message").value = "";
  send({ type: "text", content: text }, text);
});
document.querySelectorAll("#menu button").forEach((b) => b.addEventListener("click",
  () => send({ type: "click", key: b.dataset.key }, `[菜单] ${b.textContent}`, "note")));
document.querySelectorAll(".actions button").forEach((b) => b.addEventListener("click",
  () => send({ type: b.dataset.type }, `[${b.textContent}]`, "note")));
$("#custom-follower").addEventListener("submit", (event) => {
  event.preventDefault();
  const openid = $("#custom-openid").value.trim();
  if (/^[A-Za-z0-9_-]{1,64}$/.test(openid)) choose(openid, openid);
});
$("#reset").addEventListener("click", async () => {
  try {
    await api("/backend/v1/reset", { method: "POST", body: "{}" });
    $("#notice").textContent = "后端已按种子重置（绑定、密码、短信、审核都回到初始状态）。";
  } catch (error) {
    $("#notice").textContent = `重置失败：${error.message}`;
  }
  refresh();
});
$("#clear").addEventListener("click", () => {
  sim.history[sim.openid] = [];
  saveHistory();
  renderChat();
});
init().catch((error) => renderBubble("error", `模拟器启动失败：${error.message}`));
