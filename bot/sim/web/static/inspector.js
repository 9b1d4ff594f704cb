// Where a follower stands: flow, state, masked slots, tries, expiries, the flow's diagram.
import { $, api, clockText, el, left } from "./util.js";

export function renderInspector(phone, view) {
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

// What the language stage made of the text just sent (GET /sim/api/understand): intent, act,
// reason, confidence, slots (masked), a knowledge answer — the bot's own reading of it.
export async function showUnderstood(phone, text) {
  const line = $(".heard", phone.node);
  try {
    const got = await api(`/sim/api/understand?text=${encodeURIComponent(text)}`);
    const parts = [`理解 understood: ${got.intent || "—"}`, got.act, got.reason,
                   got.confidence.toFixed(2)];
    if (got.act === "confirm") parts.push("需确认 asked to confirm");
    if (got.choice !== null) parts.push(`选 pick ${got.choice}`);
    if (got.yes_no !== null) parts.push(got.yes_no ? "是 yes" : "否 no");
    const slots = Object.entries(got.slots).map(([k, v]) => `${k}=${v}`).join(" ");
    if (slots) parts.push(`slots ${slots}`);
    if (got.answer.kind !== "none") parts.push(`answer ${got.answer.entries.join("/")}`);
    line.textContent = parts.join(" · ");
  } catch (error) {
    line.textContent = `理解 understood: ${error.message}`;
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
    box.replaceChildren(el("p", { className: "muted", textContent: `图无法绘制：${error.message}` }));
  }
}

function centre(box) {
  const current = box.querySelector("g.current");
  if (!current) return;
  const at = current.getBoundingClientRect(), view = box.getBoundingClientRect();
  box.scrollLeft += at.left - view.left - (view.width - at.width) / 2;
  box.scrollTop += at.top - view.top - (view.height - at.height) / 2;
}
