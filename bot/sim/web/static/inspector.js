// Where a follower stands: flow, state, masked slots, tries, expiries, the flow's diagram.
import { $, api, clockText, el, left, slotLabel, slotValue } from "./util.js";

// What the language stage's acts mean, in the page's language (the codes stay in the tooltip).
const ACTS = { start: "要办理", confirm: "要办理（需确认）", negated: "否定", fact: "提供了信息" };

export function renderInspector(phone, view) {
  const node = phone.node;
  const facts = $(".facts", node);
  if (!view) {
    $(".state", node).textContent = "没有进行中的业务（空闲 idle）";
    $(".state", node).title = "";
    facts.replaceChildren();
    $(".diagram", node).replaceChildren();
    phone.state = null;
    return;
  }
  // The flow by its menu name; the step keeps its code name: the diagram's boxes carry it.
  $(".state", node).textContent = `${view.title || view.flow} · 步骤 ${view.state}`;
  $(".state", node).title = `${view.flow} · ${view.state}`;
  Object.assign($(".state", node).dataset, { flow: view.flow, state: view.state });
  const slots = Object.entries(view.slots).filter(([k, v]) => !(k === "card_masked" && v === view.slots.card));
  const rows = slots.map(([k, v]) => [k, slotLabel(k), slotValue(k, v)]);
  if (view.tries_left !== null) rows.push(["tries_left", "本步还可输错", `${view.tries_left} 次`]);
  if (view.code_attempts_left !== null) rows.push(["code_attempts_left", "验证码还可输错", `${view.code_attempts_left} 次`]);
  if (view.code_expires_at) {
    rows.push(["code_expires_at", "验证码过期", `${left(view.code_expires_at - view.now)} (${clockText(view.code_expires_at).slice(11)})`]);
  }
  rows.push(["session_expires_at", "会话过期", `${left(view.session_expires_at - view.now)} (${clockText(view.session_expires_at).slice(11)})`]);
  facts.replaceChildren(...rows.flatMap(([key, label, v]) => [
    el("dt", { textContent: label }), el("dd", { textContent: v, dataset: { slot: key } })]));
  const key = `${view.flow}/${view.state}`;
  if (phone.state !== key) {
    phone.state = key;
    drawDiagram($(".diagram", node), view.flow, view.state);
  }
}

// What the language stage made of the text just sent (GET /sim/api/understand): intent, act,
// reason, confidence, slots (masked), a knowledge answer — the bot's own reading of it.
export async function showUnderstood(phone, text) {
  const line = $(".heard", phone.node);
  try {
    const got = await api(`/sim/api/understand?text=${encodeURIComponent(text)}`);
    const parts = [`理解：${got.intent ? got.intent_title || got.intent : "没有认出业务"}`];
    if (ACTS[got.act]) parts.push(ACTS[got.act]);
    parts.push(`把握 ${got.confidence.toFixed(2)}`);
    line.title = `intent ${got.intent || "—"} · act ${got.act} · reason ${got.reason}`;  // for the developer
    if (got.choice !== null) parts.push(`选第 ${got.choice} 项`);
    if (got.yes_no !== null) parts.push(got.yes_no ? "是" : "否");
    const slots = Object.entries(got.slots).map(([k, v]) => `${slotLabel(k)}=${v}`).join(" ");
    if (slots) parts.push(`识别到 ${slots}`);
    if (got.answer.kind !== "none") parts.push(`知识库 ${got.answer.entries.join("/")}`);
    line.textContent = parts.join(" · ");
  } catch (error) {
    line.textContent = `理解：读取失败（${error.message}）`;
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
    const zoom = el("button", { type: "button", className: "zoom", textContent: "全图 / 局部",
                                onclick: () => { box.classList.toggle("zoomed"); centre(box); } });
    box.replaceChildren(zoom, document.importNode(svg, true));
    box.classList.add("zoomed");  // full size, scrolled to where the follower stands
    centre(box);
  } catch (error) {
    box.replaceChildren(el("p", { className: "muted", textContent: `流程图无法绘制：${error.message}` }));
  }
}

function centre(box) {
  const current = box.querySelector("g.current");
  if (!current) return;
  const at = current.getBoundingClientRect(), view = box.getBoundingClientRect();
  box.scrollLeft += at.left - view.left - (view.width - at.width) / 2;
  box.scrollTop += at.top - view.top - (view.height - at.height) / 2;
}
