// wxbot simulator workbench: followers side by side, each through the real webhook.
// Everything the bot (or a user) says is shown with textContent only, so nothing runs as markup.
// The server keeps each follower's chat (/sim/api/transcript), so reloads and new tabs agree.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const STORE = "wxbot-sim-phones";
const CLEARED = "wxbot-sim-cleared";
const POLL_MS = 3000;
const PURPOSES = { bind: "绑卡", reset: "重置密码", unbind: "解绑" };
const sim = {
  followers: [], phones: new Map(), menu: { button: [] }, now: 0, fixture: null, upto: 0,
  cleared: {}, exchanges: new Map(), outboundMissing: false,
};

async function api(path, options = {}) {
  const init = { headers: { "Content-Type": "application/json" }, ...options };
  const response = await fetch(path, init);
  let data = {};
  try { data = await response.json(); } catch (_) { /* an empty or non-JSON body */ }
  if (!response.ok) {
    const error = new Error(data.detail || data.error || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  const { dataset, ...rest } = props;
  Object.assign(node, rest);
  Object.assign(node.dataset, dataset || {});
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const SHANGHAI = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
});
const clockText = (epoch) => SHANGHAI.format(new Date(epoch * 1000)).replaceAll("/", "-");

function left(seconds) {
  if (seconds <= 0) return "已过期";
  const m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
  return m >= 120 ? `${Math.floor(m / 60)} 小时后` : `${m}:${String(s).padStart(2, "0")} 后`;
}

// ---- followers and their phones -------------------------------------------------------
function remember() {
  const shown = [...sim.phones.values()].map((p) => ({ openid: p.openid, alias: p.alias }));
  try { localStorage.setItem(STORE, JSON.stringify(shown)); } catch (_) { /* private mode */ }
}

function renderFollowers() {
  $("#followers").replaceChildren(...sim.followers.map((f) => {
    const box = el("input", { type: "checkbox", checked: sim.phones.has(f.openid),
                              onchange: () => (box.checked ? open(f.openid, f.alias) : close(f.openid)) });
    return el("li", {}, el("label", { dataset: { openid: f.openid } }, box,
      el("span", { className: "alias", textContent: f.alias }),
      el("span", { className: "label", textContent: f.label })));
  }));
}

function open(openid, alias) {
  if (sim.phones.has(openid)) return;
  const node = $("#phone-template").content.firstElementChild.cloneNode(true);
  const phone = { openid, alias: alias || openid, node, busy: false, seen: "", state: null };
  node.dataset.openid = openid;
  node.dataset.alias = phone.alias;
  $(".who", node).textContent = `${phone.alias} · ${openid}`;
  $(".close", node).addEventListener("click", () => close(openid));
  $(".more", node).addEventListener("click", () => { $(".actions", node).hidden = !$(".actions", node).hidden; });
  $(".composer", node).addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $(".message", node);
    if (!input.value.trim()) return;
    const content = input.value;
    input.value = "";
    send(phone, { type: "text", content });
  });
  for (const b of $$(".actions button[data-type]", node)) {
    b.addEventListener("click", () => send(phone, { type: b.dataset.type, label: b.textContent }));
  }
  $(".clear", node).addEventListener("click", () => {
    const last = (sim.exchanges.get(openid) || []).at(-1);
    sim.cleared[openid] = last ? last.id : 0;
    try { localStorage.setItem(CLEARED, JSON.stringify(sim.cleared)); } catch (_) { /* full */ }
    phone.seen = "";
    refreshPhone(phone);
  });
  drawMenu(phone);
  sim.phones.set(openid, phone);
  $("#phones").append(node);
  remember();
  renderFollowers();
  refreshPhone(phone);
}

function close(openid) {
  const phone = sim.phones.get(openid);
  if (!phone) return;
  phone.node.remove();
  sim.phones.delete(openid);
  remember();
  renderFollowers();
}

// ---- the menu: at most three buttons, sub-menus pop up ----------------------------------
function drawMenu(phone) {
  const bar = $(".menu", phone.node);
  const buttons = sim.menu.button || [];
  bar.style.gridTemplateColumns = `repeat(${Math.max(1, buttons.length)}, 1fr)`;
  bar.replaceChildren(...buttons.map((button) => {
    const cell = el("div", { className: "menu-cell" });
    if (button.sub_button && button.sub_button.length) {
      const list = el("ul", { className: "submenu", hidden: true },
        ...button.sub_button.map((sub) => el("li", {}, menuButton(phone, sub))));
      const top = el("button", { type: "button", className: "has-sub", textContent: `≡ ${button.name}`,
                                 onclick: () => { closeMenus(list); list.hidden = !list.hidden; } });
      top.setAttribute("aria-haspopup", "true");
      cell.append(list, top);
    } else {
      cell.append(menuButton(phone, button));
    }
    return cell;
  }));
}

function menuButton(phone, button) {
  const node = el("button", { type: "button", textContent: button.name,
                              dataset: { key: button.key || "" } });
  if (button.type === "click" && button.key) {
    node.addEventListener("click", () => {
      closeMenus();
      send(phone, { type: "click", key: button.key, label: button.name });
    });
  } else {
    node.disabled = true;
    node.title = `${button.type || "?"} 按钮：模拟器只发送 click 事件`;
  }
  return node;
}

function closeMenus(except) {
  for (const list of $$(".submenu")) if (list !== except) list.hidden = true;
}

// ---- talking ---------------------------------------------------------------------------
async function send(phone, payload) {
  if (phone.busy) return;
  phone.busy = true;
  $$("button, input", phone.node).forEach((b) => { b.disabled = true; });
  try {
    await api("/sim/api/send", { method: "POST", body: JSON.stringify({ user: phone.openid, ...payload }) });
  } catch (error) {
    notice(`发送失败：${error.message}`);
  } finally {
    phone.busy = false;
    $$("button, input", phone.node).forEach((b) => { b.disabled = false; });
    drawMenu(phone);
    await refreshPhone(phone);
    refreshShared();
  }
}

function bubble(kind, text, extra = {}) {
  return el("li", { className: kind, ...extra }, el("div", { className: "bubble", textContent: text }));
}

function chatItems(exchanges, outbound) {
  const items = [];
  for (const x of exchanges) {
    const kind = x.kind === "text" || x.kind === "voice" ? "user" : "note";
    if (x.retry_of) {
      items.push({ at: x.at, node: bubble("note retry", `平台重发了 #${x.retry_of}（同样的字节）`) });
    } else {
      items.push({ at: x.at, node: bubble(kind, x.shown, { dataset: { exchange: x.id } }) });
    }
    let answer;
    if (x.error) answer = bubble("error", `平台报错：${x.error}`);
    else if (x.reply_text) answer = bubble(x.retry_of ? "bot retry" : "bot", x.reply_text);
    else if (x.reply_type) answer = bubble("note", `[${x.reply_type} 回复]`);
    else answer = bubble("note", "（公众号没有回复：success）");
    items.push({ at: x.at, node: answer });
  }
  for (const m of outbound) {
    const body = m.body || {};
    let text = body.text ? body.text.content : "";
    if (!text && body.data) text = Object.values(body.data).map((v) => (v && v.value) || "").join("\n");
    const badge = m.api === "template" ? "模板消息" : "客服消息";
    const node = bubble("bot api", text || JSON.stringify(body));
    node.prepend(el("span", { className: "badge", textContent: badge }));
    items.push({ at: Number(m.at) || 0, node });
  }
  return items.sort((a, b) => a.at - b.at).map((i) => i.node);
}

async function outboundOf(openid) {
  if (sim.outboundMissing) return [];
  try {
    return (await api(`/sim/api/outbound?user=${encodeURIComponent(openid)}`)).messages || [];
  } catch (error) {
    if (error.status === 404) sim.outboundMissing = true;  // no mock platform API: quietly none
    return [];
  }
}

async function refreshPhone(phone) {
  const user = encodeURIComponent(phone.openid);
  try {
    const [transcript, state, outbound] = await Promise.all([
      api(`/sim/api/transcript?user=${user}`), api(`/sim/api/state?user=${user}`),
      outboundOf(phone.openid)]);
    const after = sim.cleared[phone.openid] || 0;
    const mine = transcript.exchanges.filter((x) => x.id > after);
    sim.exchanges.set(phone.openid, transcript.exchanges);
    const seen = `${mine.map((x) => x.id).join(",")}|${outbound.length}`;
    if (seen !== phone.seen) {
      const chat = $(".chat", phone.node);
      chat.replaceChildren(...chatItems(mine, outbound.filter((m) => !after || m.at > lastAt(phone.openid, after))));
      chat.scrollTop = chat.scrollHeight;
      phone.seen = seen;
    }
    renderInspector(phone, state.inspector);
    renderTraffic();
  } catch (error) {
    $(".state", phone.node).textContent = `读取失败：${error.message}`;
  }
}

function lastAt(openid, id) {
  const found = (sim.exchanges.get(openid) || []).find((x) => x.id === id);
  return found ? found.at : 0;
}

// ---- the inspector -----------------------------------------------------------------------
function renderInspector(phone, view) {
  const node = phone.node;
  const facts = $(".facts", node);
  if (!view) {
    $(".state", node).textContent = "没有进行中的业务 (idle)";
    facts.replaceChildren();
    $(".diagram", node).replaceChildren();
    phone.state = null;
    return;
  }
  $(".state", node).textContent = `${view.flow} · ${view.state}`;
  const rows = Object.entries(view.slots).map(([k, v]) => [k, v]);
  if (view.tries_left !== null) rows.push(["剩余次数 tries left", String(view.tries_left)]);
  if (view.code_attempts_left !== null) rows.push(["验证码可错 code tries", String(view.code_attempts_left)]);
  if (view.code_expires_at) {
    rows.push(["验证码过期 code expires", `${left(view.code_expires_at - view.now)} (${clockText(view.code_expires_at).slice(11)})`]);
  }
  rows.push(["会话过期 session expires", `${left(view.session_expires_at - view.now)} (${clockText(view.session_expires_at).slice(11)})`]);
  facts.replaceChildren(...rows.flatMap(([k, v]) => [
    el("dt", { textContent: k }), el("dd", { textContent: v, dataset: { slot: k } })]));
  const key = `${view.flow}/${view.state}`;
  if (phone.state !== key) {
    phone.state = key;
    drawDiagram($(".diagram", node), view.flow, view.state);
  }
}

async function drawDiagram(box, flow, state) {
  try {
    const response = await fetch(`/sim/api/diagram?flow=${encodeURIComponent(flow)}&state=${encodeURIComponent(state)}`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const doc = new DOMParser().parseFromString(await response.text(), "image/svg+xml");
    const svg = doc.documentElement;
    if (svg.nodeName !== "svg") throw new Error("not an SVG");
    for (const script of svg.querySelectorAll("script, foreignObject")) script.remove();
    const zoom = el("button", { type: "button", className: "zoom", textContent: "放大 / 缩小",
                                onclick: () => {
                                  box.classList.toggle("zoomed");
                                  const current = box.querySelector("g.current");
                                  if (current) current.scrollIntoView({ block: "nearest", inline: "center" });
                                } });
    box.replaceChildren(zoom, document.importNode(svg, true));
  } catch (error) {
    box.replaceChildren(el("p", { className: "muted", textContent: `图无法绘制：${error.message}` }));
  }
}

// ---- traffic ---------------------------------------------------------------------------
function renderTraffic() {
  const all = [...sim.phones.keys()].flatMap((openid) => sim.exchanges.get(openid) || []);
  all.sort((a, b) => b.id - a.id);
  const list = $("#traffic");
  const key = all.map((x) => x.id).join(",");
  if (list.dataset.key === key) return;
  const openIds = new Set($$("details[open]", list).map((d) => d.dataset.exchange));
  list.dataset.key = key;
  if (!all.length) {
    list.replaceChildren(el("li", { className: "empty", textContent: "还没有推送" }));
    return;
  }
  list.replaceChildren(...all.slice(0, 60).map((x) => {
    const phone = sim.phones.get(x.openid);
    const status = x.error ? "error" : x.status === 200 ? "ok" : "error";
    const summary = el("summary", {},
      el("span", { className: "id", textContent: `#${x.id}` }),
      el("span", { className: `status ${status}`, textContent: String(x.status || "—") }),
      el("span", { className: "ms", textContent: `${x.latency_ms} ms` }),
      el("span", { className: "who", textContent: phone ? phone.alias : x.openid }),
      el("span", { className: "what", textContent: x.retry_of ? `retry of #${x.retry_of}` : x.shown }));
    const sealed = Boolean(x.wire_body) && x.wire_body !== x.request_xml;
    const again = x.wire_body ? el("button", { type: "button", className: "again", textContent: "再投递一次 (platform retry)",
                                               onclick: () => retry(x.id) })
      : el("p", { className: "muted", textContent: "不是本页发出的推送（如 wxbot chat），无法按原字节重发" });
    const details = el("details", { dataset: { exchange: String(x.id) }, open: openIds.has(String(x.id)) },
      summary,
      el("h4", { textContent: sealed ? "推送 · 线上字节 (sealed, as sent)" : "推送 · as sent" }),
      el("pre", { className: "xml sent", textContent: x.wire_body || x.request_xml }),
      sealed ? el("h4", { textContent: "推送 · 解开后 (opened)" }) : null,
      sealed ? el("pre", { className: "xml opened", textContent: x.request_xml }) : null,
      el("h4", { textContent: `回复 · HTTP ${x.status} 原文 (as answered)` }),
      el("pre", { className: "xml reply", textContent: x.reply_body || "(empty)" }),
      x.reply_xml && x.reply_xml !== x.reply_body ? el("h4", { textContent: "回复 · 解开后 (opened)" }) : null,
      x.reply_xml && x.reply_xml !== x.reply_body ? el("pre", { className: "xml reply-opened", textContent: x.reply_xml }) : null,
      x.error ? el("p", { className: "error", textContent: x.error }) : null,
      again);
    return el("li", {}, details);
  }));
}

async function retry(id) {
  try {
    const x = await api("/sim/api/retry", { method: "POST", body: JSON.stringify({ id }) });
    notice(`#${id} 再投递：HTTP ${x.status}，${x.reply_text ? "回复与第一次相同的内容" : x.error || "success"}`);
    const phone = sim.phones.get(x.openid);
    if (phone) await refreshPhone(phone);
  } catch (error) {
    notice(`再投递失败：${error.message}`);
  }
}

// ---- shared panels: SMS, clock ------------------------------------------------------------
async function refreshShared() {
  try {
    const [sms, clock] = await Promise.all([api("/sim/api/sms"), api("/sim/api/clock")]);
    renderSms(sms.messages);
    sim.now = clock.now;
    $("#clock").textContent = clockText(clock.now);
    $("#clock").dateTime = new Date(clock.now * 1000).toISOString();
  } catch (error) {
    notice(`读取失败：${error.message}`);
  }
}

function renderSms(messages) {
  const list = $("#sms");
  if (!messages.length) {
    list.replaceChildren(el("li", { className: "empty", textContent: "还没有短信" }));
    return;
  }
  list.replaceChildren(...messages.map((m) => el("li", { dataset: { phone: m.phone } },
    el("div", { className: "meta", textContent: `${m.name} ${m.phone} · ${PURPOSES[m.purpose] || m.purpose}` }),
    el("span", { className: "code", title: "点击填入最近使用的输入框", textContent: m.code,
                 onclick: () => fill(m.code) }),
    el("div", { className: "meta", textContent: m.sent_at.replace("T", " ").slice(0, 19) }))));
}

let lastInput = null;
document.addEventListener("focusin", (event) => {
  if (event.target.matches && event.target.matches(".message")) lastInput = event.target;
});

function fill(text) {
  const input = lastInput && lastInput.isConnected ? lastInput : $(".message");
  if (!input) return;
  input.value = text;
  input.focus();
}

function notice(text) { $("#notice").textContent = text; }

function pick(text) {
  return el("span", { className: "pick", textContent: text, title: "点击填入输入框", onclick: () => fill(text) });
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

// ---- fixtures ----------------------------------------------------------------------------
async function loadFixtures() {
  const { fixtures } = await api("/sim/api/fixtures");
  sim.fixtures = fixtures;
  const select = $("#fixture");
  const chosen = select.value;
  select.replaceChildren(...fixtures.map((f) => el("option", { value: f.name, textContent: `${f.title} (${f.name})` })));
  if (chosen) select.value = chosen;
  showFixture();
}

function showFixture(results = null) {
  const fixture = (sim.fixtures || []).find((f) => f.name === $("#fixture").value);
  $("#fixture-title").textContent = fixture ? `${fixture.steps.length} 步` : "";
  const steps = results ? results.steps : fixture ? fixture.steps.map((s) => ({ ...s, result: "" })) : [];
  $("#fixture-steps").replaceChildren(...steps.map((s) => el("li", { className: s.result.replace(" ", "-"), dataset: { result: s.result } },
    el("span", { className: "mark", textContent: { pass: "✓", fail: "✗", "not run": "·" }[s.result] || "○" }),
    el("span", { textContent: ` ${s.action}` }),
    s.got ? el("div", { className: "got", textContent: `expected ${s.expected}; got ${s.got}` }) : null)));
}

async function runFixture(upto) {
  const name = $("#fixture").value;
  if (!name) return;
  try {
    const result = await api("/sim/api/fixtures/run", { method: "POST", body: JSON.stringify(upto ? { name, upto } : { name }) });
    if (result.error) notice(`用例有误：${result.error}`);
    showFixture(result);
    const ran = result.steps.filter((s) => s.result !== "not run").length;
    $("#fixture-title").textContent = `${result.ok ? "通过" : "未通过"} · ${ran}/${result.steps.length} 步已运行`;
  } catch (error) {
    notice(`运行失败：${error.message}`);
  }
}

async function saveFixture() {
  const users = [...sim.phones.keys()];
  try {
    const saved = await api("/sim/api/fixtures/save", { method: "POST", body: JSON.stringify({ users }) });
    $("#saved").textContent = `已保存 ${saved.steps} 步：${saved.path}（wxbot replay 可直接运行）`;
    $("#saved-yaml").textContent = saved.yaml;
    $("#saved-yaml").hidden = false;
    await loadFixtures();
  } catch (error) {
    $("#saved").textContent = `保存失败：${error.message}`;
  }
}

// ---- start -------------------------------------------------------------------------------
async function init() {
  try { sim.cleared = JSON.parse(localStorage.getItem(CLEARED)) || {}; } catch (_) { sim.cleared = {}; }
  const [{ followers, mode }, menu] = await Promise.all([api("/sim/api/followers"), api("/sim/api/menu")]);
  sim.followers = followers;
  sim.menu = menu;
  $("#mode").textContent = mode === "safe" ? " and AES-encrypted (safe mode)" : " (plaintext mode)";
  let shown = [];
  try { shown = JSON.parse(localStorage.getItem(STORE)) || []; } catch (_) { shown = []; }
  if (!shown.length) shown = [{ openid: followers[0].openid, alias: followers[0].alias }];
  renderFollowers();
  for (const p of shown) open(p.openid, p.alias);
  refreshShared();
  loadSeed().catch(() => {});
  loadFixtures().catch(() => {});
  setInterval(() => {
    if (document.hidden) return;
    for (const phone of sim.phones.values()) if (!phone.busy) refreshPhone(phone);
    refreshShared();
  }, POLL_MS);
}

$("#custom-follower").addEventListener("submit", (event) => {
  event.preventDefault();
  const openid = $("#custom-openid").value.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(openid)) return;
  if (!sim.followers.some((f) => f.openid === openid)) sim.followers.push({ alias: openid, openid, label: "自定义 openid" });
  open(openid, openid);
});
for (const b of $$("[data-advance]")) {
  b.addEventListener("click", async () => {
    await api("/sim/api/clock", { method: "POST", body: JSON.stringify({ advance: Number(b.dataset.advance) }) });
    notice(`时钟前进了 ${b.textContent.replace("+", "")}`);
    await refreshShared();
    for (const phone of sim.phones.values()) refreshPhone(phone);
  });
}
$("#reset").addEventListener("click", async () => {
  try {
    await api("/sim/api/reset", { method: "POST", body: "{}" });
    sim.cleared = {};
    localStorage.removeItem(CLEARED);
    notice("已重置：种子数据、会话、时钟和聊天记录都回到了起点。");
  } catch (error) {
    notice(`重置失败：${error.message}`);
  }
  for (const phone of sim.phones.values()) { phone.seen = ""; refreshPhone(phone); }
  refreshShared();
});
$("#fixture").addEventListener("change", () => { sim.upto = 0; showFixture(); });
$("#fixture-run").addEventListener("click", () => { sim.upto = 0; runFixture(null); });
$("#fixture-step").addEventListener("click", () => { sim.upto += 1; runFixture(sim.upto); });
$("#save").addEventListener("click", saveFixture);
document.addEventListener("click", (event) => {
  if (!event.target.closest(".menu")) closeMenus();
});
init().catch((error) => notice(`模拟器启动失败：${error.message}`));
