// Shared by the workbench's modules: the page's state, the API, DOM and time helpers.

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
export const STORE = "wxbot-sim-phones";
export const CLEARED = "wxbot-sim-cleared";
export const POLL_MS = 3000;
export const COUNTERS_MS = 2000;  // the live counters and the faults armed: a little quicker
export const NARROW = "(max-width: 760px)";  // sim.css's phone-sized layout: tabs, chat first
export const sim = {
  followers: [], phones: new Map(), menu: { button: [] }, now: 0, fixture: null, upto: 0,
  cleared: {}, exchanges: new Map(), outboundMissing: false,
};

export async function api(path, options = {}) {
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

export function el(tag, props = {}, ...children) {
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
export const clockText = (epoch) => SHANGHAI.format(new Date(epoch * 1000)).replaceAll("/", "-");

export function left(seconds) {
  if (seconds <= 0) return "已过期";
  const m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
  return m >= 120 ? `${Math.floor(m / 60)} 小时后` : `${m}:${String(s).padStart(2, "0")} 后`;
}

let lastInput = null;
document.addEventListener("focusin", (event) => {
  if (event.target.matches && event.target.matches(".message")) lastInput = event.target;
});

// What the follower typed, named as a Chinese form would (the inspector, the agent console, the
// understood line): slot names are code, never shown. An unknown one is called 其他 by its key.
const SLOTS = {
  id: "身份证号", name: "姓名", card: "社保卡号", card_masked: "社保卡号", guardian: "监护人身份证号",
  code_owner: "验证码发给", phone: "手机号", bound_card: "已绑定的卡", retry_at: "可再试时间",
  wait: "需等待", attempts_left: "验证码可错次数", ref: "受理编号", code_purpose: "验证码用途",
  password: "密码", why: "原因", relation: "关系",
};
export const slotLabel = (key) => SLOTS[key] || `其他（${key}）`;
export const PURPOSES = { bind: "绑卡", consent: "监护人同意", reset: "重置密码", unbind: "解绑",
                          loss: "挂失", lift: "解除挂失" };
export function slotValue(key, value) {
  if (key === "code_purpose") return PURPOSES[value] || value;
  return value === "(hidden)" ? "（已隐藏）" : value;
}

export function showTab(tab) {
  document.body.dataset.tab = tab;
  for (const b of $$(".tabs [data-tab]")) b.setAttribute("aria-selected", String(b.dataset.tab === tab));
}

export function fill(text) {
  const input = lastInput && lastInput.isConnected ? lastInput : $(".message");
  if (!input) return;
  if (document.body.dataset.tab !== "chat") showTab("chat");  // phone-sized: back to the chat
  input.value = text;
  input.focus();
}

// A toast at the foot of the screen (visible from every tab); it fades after NOTICE_MS.
const NOTICE_MS = 8000;
let noticeTimer = null;
export function notice(text) {
  $("#notice").textContent = text;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { $("#notice").textContent = ""; }, NOTICE_MS);
}

export function pick(text) {
  return el("span", { className: "pick", textContent: text, title: "点击填入输入框", onclick: () => fill(text) });
}
