// Shared panels: the mock phones' SMS, the simulator's clock, the seed sheet.
import { $, PURPOSES, api, clockText, el, fill, notice, pick, sim } from "./util.js";

const STATUSES = { active: "正常", lost: "已挂失", frozen: "已冻结", cancelled: "已注销", expired: "已过期" };

export async function refreshShared() {
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
  $("#sms-count").textContent = messages.length ? String(messages.length) : "";
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

export async function loadSeed() {
  const { people } = await api("/sim/api/seed");
  $("#seed").replaceChildren(...people.map((p) => {
    const notes = [];
    if (p.guardians.length) notes.push(`监护人 ${p.guardians.map((g) => `${g.name}(${g.relation})`).join("、")}`);
    if (p.wards.length) notes.push(`监护 ${p.wards.join("、")}`);
    if (!p.phone_masked) notes.push("无手机");
    const cards = el("td");
    for (const c of p.cards) {
      cards.append(pick(c.card_number));
      if (c.status !== "active" || c.bound) cards.append(` ${c.bound ? "已绑定" : STATUSES[c.status] || c.status}`);
      cards.append(el("br"));
    }
    return el("tr", {}, el("td", {}, pick(p.name)), el("td", { textContent: String(p.age) }),
      el("td", {}, pick(p.id_number)), cards, el("td", { textContent: notes.join("；") }));
  }));
}
