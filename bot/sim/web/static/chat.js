// A follower's chat: the exchanges the server kept, and the messages sent through the API.
import { api, el, sim } from "./util.js";

function bubble(kind, text, extra = {}) {
  return el("li", { className: kind, ...extra }, el("div", { className: "bubble", textContent: text }));
}

export function chatItems(exchanges, outbound) {
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
    const agent = body.customservice && body.customservice.kf_account;
    const badge = m.api === "template" ? "模板消息" : agent ? `人工客服 ${agent}` : "客服消息";
    const node = bubble(agent ? "bot api agent" : "bot api", text || JSON.stringify(body));
    node.prepend(el("span", { className: "badge", textContent: badge }));
    items.push({ at: Number(m.at) || 0, node });
  }
  return items.sort((a, b) => a.at - b.at).map((i) => i.node);
}

export async function outboundOf(openid) {
  if (sim.outboundMissing) return [];
  try {
    return (await api(`/sim/api/outbound?user=${encodeURIComponent(openid)}`)).messages || [];
  } catch (error) {
    if (error.status === 404) sim.outboundMissing = true;  // no mock platform API: quietly none
    return [];
  }
}
