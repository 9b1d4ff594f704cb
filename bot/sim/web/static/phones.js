// The followers' phones side by side: opened, remembered across reloads, talking, refreshed.
import { drawMenu } from "./menu.js";
import { chatItems, outboundOf } from "./chat.js";
import { renderLinks } from "./family.js";
import { renderInspector, showUnderstood } from "./inspector.js";
import { renderTraffic } from "./traffic.js";
import { refreshShared } from "./panels.js";
import { $, $$, CLEARED, NARROW, STORE, api, el, notice, sim } from "./util.js";

function remember() {
  const shown = [...sim.phones.values()].map((p) => ({ openid: p.openid, alias: p.alias }));
  try { localStorage.setItem(STORE, JSON.stringify(shown)); } catch (_) { /* private mode */ }
}

export function renderFollowers() {
  $("#followers").replaceChildren(...sim.followers.map((f) => {
    const box = el("input", { type: "checkbox", checked: sim.phones.has(f.openid),
                              onchange: () => (box.checked ? open(f.openid, f.alias) : close(f.openid)) });
    return el("li", {}, el("label", { dataset: { openid: f.openid } }, box,
      el("span", { className: "alias", textContent: f.alias }),
      el("span", { className: "label", textContent: f.label })));
  }));
}

export function open(openid, alias) {
  if (sim.phones.has(openid)) return;
  const node = $("#phone-template").content.firstElementChild.cloneNode(true);
  const phone = { openid, alias: alias || openid, node, busy: false, seen: "", state: null };
  node.dataset.openid = openid;
  node.dataset.alias = phone.alias;
  $(".who", node).textContent = `${phone.alias} · ${openid}`;
  $(".close", node).addEventListener("click", () => close(openid));
  // The inspector: open beside a wide screen's chat, one tap away on a phone-sized one.
  const toggle = $(".inspect-toggle", node);
  const showInspector = (shown) => {
    node.dataset.inspector = shown ? "open" : "closed";
    toggle.setAttribute("aria-expanded", String(shown));
  };
  showInspector(!window.matchMedia(NARROW).matches);
  toggle.addEventListener("click", () => {
    showInspector(node.dataset.inspector !== "open");
    if (node.dataset.inspector === "open") $(".inspector", node).scrollIntoView({ block: "nearest" });
  });
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
  drawMenu(phone, send);
  sim.phones.set(openid, phone);
  $("#phones").append(node);
  remember();
  renderFollowers();
  refreshPhone(phone);
}

export function close(openid) {
  const phone = sim.phones.get(openid);
  if (!phone) return;
  phone.node.remove();
  sim.phones.delete(openid);
  remember();
  renderFollowers();
}

export async function send(phone, payload) {
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
    drawMenu(phone, send);
    await refreshPhone(phone);
    if (payload.type === "text") showUnderstood(phone, payload.content);
    refreshShared();
  }
}

export async function refreshPhone(phone) {
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
    renderLinks(phone, state.family || []);
    renderTraffic(refreshPhone);
  } catch (error) {
    $(".state", phone.node).textContent = `读取失败：${error.message}`;
  }
}

function lastAt(openid, id) {
  const found = (sim.exchanges.get(openid) || []).find((x) => x.id === id);
  return found ? found.at : 0;
}
