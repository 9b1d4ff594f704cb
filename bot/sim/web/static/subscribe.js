// Subscribe notices (订阅通知): one follower's grant for each of the account's templates, as
// the platform keeps it and as the bot heard it, and the popup's 允许 / 拒绝 (the follower's
// answer, pushed to the bot as subscribe_msg_popup_event). Imports only util.js; loaded by
// its own <script> in index.html, so the page's layout stays the other modules' business.
import { $, api, el, notice, sim, POLL_MS } from "./util.js";

const state = { user: "", missing: false, shown: "" };
const KIND = { review: "审核结果", guardian: "监护人确认" };
const STATUS = { none: "未订阅", accept: "已允许", reject: "已拒绝", used: "已用完" };

function renderChoices() {
  const select = $("#subscribe-user");
  const known = sim.followers.map((f) => f.openid).join(",");
  if (!select || known === state.shown) return;
  state.shown = known;
  select.replaceChildren(...sim.followers.map((f) =>
    el("option", { value: f.openid, textContent: `${f.alias} (${f.openid})` })));
  if (!state.user && sim.followers.length) state.user = sim.followers[0].openid;
  select.value = state.user;
}

function line(t) {
  const left = t.type === "one_time" && t.status === "accept" ? ` · 还可发 ${t.remaining} 次` : "";
  const what = `${t.title}${t.kind ? `（${KIND[t.kind] || t.kind}）` : ""} · ${t.type === "one_time" ? "一次性" : "长期"}`;
  return el("li", { dataset: { template: t.template_id, status: t.status, bot: t.bot } },
    el("span", {},
      el("span", { className: "title", textContent: what }),
      el("small", { className: "platform", textContent: ` 平台：${STATUS[t.status] || t.status}${left}` }),
      el("small", { className: "bot", textContent: ` · 机器人：${STATUS[t.bot] || t.bot}` })),
    el("span", {},
      el("button", { type: "button", className: "accept", textContent: "允许", onclick: () => decide(t, true) }),
      el("button", { type: "button", className: "reject", textContent: "拒绝", onclick: () => decide(t, false) })));
}

async function decide(t, accept) {
  try {
    await api("/sim/api/subscribe", { method: "POST",
      body: JSON.stringify({ user: state.user, template: t.template_id, accept }) });
    notice(`${state.user} ${accept ? "允许" : "拒绝"}了「${t.title}」`);
  } catch (error) {
    notice(`订阅弹窗失败：${error.message}`);
  }
  await refresh();
}

async function refresh() {
  if (state.missing || !$("#subscriptions")) return;
  renderChoices();
  if (!state.user) return;
  let view;
  try {
    view = await api(`/sim/api/subscriptions?user=${encodeURIComponent(state.user)}`);
  } catch (error) {
    if (error.status === 404) { state.missing = true; $("#subscribe-panel").hidden = true; }
    return;
  }
  const list = $("#subscriptions");
  if (!view.templates.length) {
    list.replaceChildren(el("li", { className: "empty", textContent: "账号还没有订阅通知模板（WECHAT_SUBSCRIBE_REVIEW…）" }));
    return;
  }
  list.replaceChildren(...view.templates.map(line));
}

function start() {
  const select = $("#subscribe-user");
  if (!select) return;
  select.addEventListener("change", () => { state.user = select.value; refresh(); });
  refresh();
  setInterval(refresh, POLL_MS);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
