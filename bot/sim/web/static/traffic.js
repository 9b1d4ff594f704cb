// Every push and reply with status and latency, the raw XML, and the platform's retry.
// `refreshPhone(phone)` is handed in by phones.js, so imports point one way (phones -> traffic).
import { $, $$, api, el, notice, sim } from "./util.js";

export function renderTraffic(refreshPhone) {
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
      el("span", { className: "what", textContent: x.retry_of ? `平台重发 #${x.retry_of}` : x.shown }));
    const sealed = Boolean(x.wire_body) && x.wire_body !== x.request_xml;
    const again = x.wire_body ? el("button", { type: "button", className: "again", textContent: "再投递一次 (platform retry)",
                                               onclick: () => retry(x.id, refreshPhone) })
      : el("p", { className: "muted", textContent: "不是本页发出的推送（如 wxbot chat），无法按原字节重发" });
    const details = el("details", { dataset: { exchange: String(x.id) }, open: openIds.has(String(x.id)) },
      summary,
      el("h4", { textContent: sealed ? "推送 · 线上字节 (sealed, as sent)" : "推送 · as sent" }),
      el("pre", { className: "xml sent", textContent: x.wire_body || x.request_xml }),
      sealed ? el("h4", { textContent: "推送 · 解开后 (opened)" }) : null,
      sealed ? el("pre", { className: "xml opened", textContent: x.request_xml }) : null,
      el("h4", { textContent: `回复 · HTTP ${x.status} 原文 (as answered)` }),
      el("pre", { className: "xml reply", textContent: x.reply_body || "（空）" }),
      x.reply_xml && x.reply_xml !== x.reply_body ? el("h4", { textContent: "回复 · 解开后 (opened)" }) : null,
      x.reply_xml && x.reply_xml !== x.reply_body ? el("pre", { className: "xml reply-opened", textContent: x.reply_xml }) : null,
      x.error ? el("p", { className: "error", textContent: x.error }) : null,
      again);
    return el("li", {}, details);
  }));
}

async function retry(id, refreshPhone) {
  try {
    const x = await api("/sim/api/retry", { method: "POST", body: JSON.stringify({ id }) });
    notice(`#${id} 再投递：HTTP ${x.status}，${x.reply_text ? "回复与第一次相同的内容" : x.error || "success"}`);
    const phone = sim.phones.get(x.openid);
    if (phone) await refreshPhone(phone);
  } catch (error) {
    notice(`再投递失败：${error.message}`);
  }
}
