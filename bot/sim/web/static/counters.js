// Live counters: the bot's own metrics (/sim/api/counters, read from /metrics), polled every
// COUNTERS_MS while the page is open. Totals only; the server sends no openid. Imports util.js.
import { $, api, el } from "./util.js";

// [key in the summary, label, how to read it from the summary, whether non-zero is bad]
const TILES = [
  ["pushes", "收到推送", (c) => c.pushes, false],
  ["in_time", "5 秒内回复", (c) => c.replies.in_time || 0, false],
  ["owed", "超时改走 API", (c) => c.replies.owed || 0, false],
  ["sent", "API 已发送", (c) => c.api_sends.sent || 0, false],
  ["failed", "API 发送失败", (c) => (c.api_sends.failed || 0) + (c.api_sends.retry || 0), true],
  ["deadline_misses", "错过回复时限", (c) => c.deadline_misses, true],
  ["turns", "对话轮次", (c) => Object.values(c.turns).reduce((a, b) => a + b, 0), false],
  ["repeat", "平台重试", (c) => c.replies.repeat || 0, false],
  ["backend", "后端平均耗时", (c) => (c.backend.mean_ms === null ? "—" : `${c.backend.mean_ms} ms`), false],
];
const state = { missing: false };

export async function refreshCounters() {
  if (state.missing) return;
  let summary;
  try {
    summary = await api("/sim/api/counters");
  } catch (error) {
    if (error.status === 404) { state.missing = true; $("#counters-panel").hidden = true; }
    return;
  }
  $("#counters").replaceChildren(...TILES.map(([key, label, read, bad]) => {
    const value = read(summary);
    return el("div", { className: bad && value ? "bad" : "", dataset: { counter: key } },
      el("dt", { textContent: label, title: label }), el("dd", { textContent: String(value) }));
  }));
}
