// The agent console: one person at the platform's customer-service tool (/sim/api/agents).
// Agents on and off line, the waiting queue, open sessions, messages left for later; the chosen
// follower's talk with people and what the bot had collected (masked by the server), a reply
// box and "close". Imports only util.js; sim.js starts it and polls it with the rest.
import { $, api, clockText, el, notice, sim, slotLabel, slotValue } from "./util.js";

const state = { chosen: null, note: null, missing: false };
const post = (path, body) => api(path, { method: "POST", body: JSON.stringify(body) });

// After the page's reset: nobody chosen, nothing half-typed; the next poll redraws the lists.
export function forgetAgents() {
  Object.assign(state, { chosen: null, note: null });
  $("#agent-follower").hidden = true;
  $("#agent-reply input").value = "";
}

export async function refreshAgents() {
  if (state.missing) return;
  let view;
  try {
    view = await api("/sim/api/agents");
  } catch (error) {
    if (error.status === 404) { state.missing = true; $("#agent-console").hidden = true; }
    return;
  }
  renderAgents(view.agents);
  renderQueue(view.queue);
  renderSessions(view.sessions);
  renderNotes(view.notes);
  renderTakeChoices();
  if (state.chosen) await showFollower(state.chosen);
}

function item(text, ...buttons) {
  return el("li", {}, el("span", { textContent: text }), ...buttons);
}

function button(label, onclick, extra = {}) {
  return el("button", { type: "button", textContent: label, onclick, ...extra });
}

function renderAgents(agents) {
  $("#agents").replaceChildren(...agents.map((a) => el("li", { dataset: { account: a.kf_account } },
    el("label", {}, el("input", { type: "checkbox", checked: a.online, onchange: async (e) => {
      await post("/sim/api/agents/online", { account: a.kf_account, online: e.target.checked });
      notice(`${a.kf_nick} ${e.target.checked ? "上线" : "下线"}了`);
    } }), ` ${a.kf_nick} (${a.kf_account})`))));
}

function renderQueue(queue) {
  const list = $("#agent-queue");
  if (!queue.length) { list.replaceChildren(el("li", { className: "empty", textContent: "没有人排队" })); return; }
  list.replaceChildren(...queue.map((q) => item(`${q.alias} · ${clockText(q.latest_time).slice(11)}${q.withdrew ? " · 已取消等待（接入后机器人会结束会话）" : ""}`,
    button("接入", () => take(q.openid), { className: "take", dataset: { openid: q.openid } }))));
}

function renderSessions(sessions) {
  const list = $("#agent-sessions");
  if (!sessions.length) { list.replaceChildren(el("li", { className: "empty", textContent: "没有进行中的会话" })); return; }
  list.replaceChildren(...sessions.map((s) => item(`${s.alias} ← ${s.kf_account}`,
    button("查看", () => choose(s.openid), { dataset: { openid: s.openid } }))));
}

function renderNotes(notes) {
  const list = $("#agent-notes");
  const open = notes.filter((n) => !n.answered);
  if (!open.length) { list.replaceChildren(el("li", { className: "empty", textContent: "没有留言" })); return; }
  list.replaceChildren(...open.map((n) => item(`${n.alias}：${n.text}`,
    button("答复", () => { state.note = n.id; choose(n.openid); }))));
}

function renderTakeChoices() {
  const select = $("#agent-take-user");
  const wanted = sim.followers.map((f) => f.openid).join(",");
  if (select.dataset.list === wanted) return;
  select.dataset.list = wanted;
  select.replaceChildren(...sim.followers.map((f) => el("option", { value: f.openid, textContent: f.alias })));
}

async function take(openid) {
  try {
    const { kf_account: account } = await post("/sim/api/agents/take", { user: openid });
    notice(`${account} 接入了 ${openid}`);
    state.note = null;
    await choose(openid);
    await refreshAgents();
  } catch (error) {
    notice(`接入失败：${error.message}`);
  }
}

async function choose(openid) {
  state.chosen = openid;
  $("#agent-follower").hidden = false;
  await showFollower(openid);
}

async function showFollower(openid) {
  const view = await api(`/sim/api/agents/follower?user=${encodeURIComponent(openid)}`);
  const pane = $("#agent-follower");
  pane.dataset.openid = openid;
  $(".who", pane).textContent = `${view.alias} · ${view.agent ? `由 ${view.agent} 服务中` : state.note ? "答复留言" : "未在会话中"}`;
  $(".collected", pane).replaceChildren(
    el("dt", { textContent: "业务" }), el("dd", { textContent: view.title || view.flow || "—" }),
    ...Object.entries(view.collected).flatMap(([k, v]) => [
      el("dt", { textContent: slotLabel(k) }), el("dd", { textContent: slotValue(k, v), dataset: { slot: k } })]));
  $(".talk", pane).replaceChildren(...view.messages.map((m) => el("li", { className: m.side === "out" ? "agent" : "follower" },
    el("div", { className: "bubble", textContent: m.text }))));
  $(".close-session", pane).disabled = !view.agent;
}

$("#agent-take").addEventListener("click", () => take($("#agent-take-user").value));
$("#agent-reply").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("#agent-reply input");
  const text = input.value.trim();
  if (!text || !state.chosen) return;
  try {
    const body = { user: state.chosen, text };
    if (state.note) Object.assign(body, { note: state.note, account: $("#agents input:checked")?.closest("li").dataset.account });
    await post("/sim/api/agents/say", body);
    input.value = "";
    state.note = null;
    await refreshAgents();
  } catch (error) {
    notice(`发送失败：${error.message}`);
  }
});
$("#agent-follower .close-session").addEventListener("click", async () => {
  try {
    await post("/sim/api/agents/close", { user: state.chosen });
    notice("会话已结束，公众号重新接待");
    await refreshAgents();
  } catch (error) {
    notice(`结束失败：${error.message}`);
  }
});
