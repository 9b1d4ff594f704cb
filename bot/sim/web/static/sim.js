// wxbot simulator workbench: followers side by side, each through the real webhook.
// Everything the bot (or a user) says is shown with textContent only, so nothing runs as markup.
// The server keeps each follower's chat (/sim/api/transcript), so reloads and new tabs agree.
// This module starts the page and wires the header and side panels; the parts live beside it:
// phones.js (+ menu.js, chat.js), inspector.js, traffic.js, panels.js, fixtures.js, agent.js,
// util.js.

import { refreshAgents } from "./agent.js";
import { loadFixtures, runFixture, saveFixture, showFixture } from "./fixtures.js";
import { closeMenus } from "./menu.js";
import { loadSeed, refreshShared } from "./panels.js";
import { open, refreshPhone, renderFollowers } from "./phones.js";
import { $, $$, CLEARED, POLL_MS, STORE, api, notice, sim } from "./util.js";

async function init() {
  try { sim.cleared = JSON.parse(localStorage.getItem(CLEARED)) || {}; } catch (_) { sim.cleared = {}; }
  const [{ followers, mode }, menu] = await Promise.all([api("/sim/api/followers"), api("/sim/api/menu")]);
  sim.followers = followers;
  sim.menu = menu;
  $("#mode").textContent = mode === "safe" ? " and AES-encrypted (safe mode)" : " (plaintext mode)";
  let shown = [];
  try { shown = JSON.parse(localStorage.getItem(STORE)) || []; } catch (_) { shown = []; }
  if (!shown.length) shown = [{ openid: followers[0].openid, alias: followers[0].alias }];
  renderFollowers();
  for (const p of shown) open(p.openid, p.alias);
  refreshShared();
  refreshAgents();
  loadSeed().catch(() => {});
  loadFixtures().catch(() => {});
  setInterval(() => {
    if (document.hidden) return;
    for (const phone of sim.phones.values()) if (!phone.busy) refreshPhone(phone);
    refreshShared();
    refreshAgents();
  }, POLL_MS);
}

$("#custom-follower").addEventListener("submit", (event) => {
  event.preventDefault();
  const openid = $("#custom-openid").value.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(openid)) return;
  if (!sim.followers.some((f) => f.openid === openid)) sim.followers.push({ alias: openid, openid, label: "自定义 openid" });
  open(openid, openid);
});
for (const b of $$("[data-advance]")) {
  b.addEventListener("click", async () => {
    await api("/sim/api/clock", { method: "POST", body: JSON.stringify({ advance: Number(b.dataset.advance) }) });
    notice(`时钟前进了 ${b.textContent.replace("+", "")}`);
    await refreshShared();
    for (const phone of sim.phones.values()) refreshPhone(phone);
  });
}
$("#reset").addEventListener("click", async () => {
  try {
    await api("/sim/api/reset", { method: "POST", body: "{}" });
    sim.cleared = {};
    localStorage.removeItem(CLEARED);
    notice("已重置：种子数据、会话、时钟和聊天记录都回到了起点。");
  } catch (error) {
    notice(`重置失败：${error.message}`);
  }
  for (const phone of sim.phones.values()) { phone.seen = ""; refreshPhone(phone); }
  refreshShared();
});
$("#fixture").addEventListener("change", () => { sim.upto = 0; showFixture(); });
$("#fixture-run").addEventListener("click", () => { sim.upto = 0; runFixture(null); });
$("#fixture-step").addEventListener("click", () => { sim.upto += 1; runFixture(sim.upto); });
$("#save").addEventListener("click", saveFixture);
document.addEventListener("click", (event) => {
  if (!event.target.closest(".menu")) closeMenus();
});
init().catch((error) => notice(`模拟器启动失败：${error.message}`));
