// wxbot simulator workbench: followers side by side, each through the real webhook.
// Everything the bot (or a user) says is shown with textContent only, so nothing runs as markup.
// The server keeps each follower's chat (/sim/api/transcript), so reloads and new tabs agree.
// This module starts the page and wires the header and side panels; the parts live beside it:
// phones.js (+ menu.js, chat.js), inspector.js, traffic.js, panels.js, fixtures.js, agent.js,
// faults.js, counters.js, util.js.

import { forgetAgents, refreshAgents } from "./agent.js";
import { refreshCounters } from "./counters.js";
import { refreshFaults } from "./faults.js";
import { loadFixtures, runFixture, saveFixture, showFixture } from "./fixtures.js";
import { closeMenus } from "./menu.js";
import { loadSeed, refreshShared } from "./panels.js";
import { open, refreshPhone, renderFollowers } from "./phones.js";
import { $, $$, CLEARED, COUNTERS_MS, POLL_MS, STORE, api, notice, showTab, sim } from "./util.js";

async function init() {
  try { sim.cleared = JSON.parse(localStorage.getItem(CLEARED)) || {}; } catch (_) { sim.cleared = {}; }
  const [{ followers, mode }, menu] = await Promise.all([api("/sim/api/followers"), api("/sim/api/menu")]);
  sim.followers = followers;
  sim.menu = menu;
  $("#mode").textContent = mode === "safe" ? "并经 AES 加密（安全模式）" : "（明文模式）";
  let shown = [];
  try { shown = JSON.parse(localStorage.getItem(STORE)) || []; } catch (_) { shown = []; }
  if (!shown.length) shown = [{ openid: followers[0].openid, alias: followers[0].alias }];
  renderFollowers();
  for (const p of shown) open(p.openid, p.alias);
  refreshShared();
  refreshAgents();
  loadSeed().catch(() => {});
  loadFixtures().catch(() => {});
  refreshCounters();
  refreshFaults().catch(() => {});
  setInterval(() => {
    if (document.hidden) return;
    refreshCounters();
    refreshFaults().catch(() => {});
  }, COUNTERS_MS);
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
// "全部重置" asks first (a dialog in the page), then empties everything the page shows.
$("#reset").addEventListener("click", () => {
  $("#reset-dialog").returnValue = "";
  $("#reset-dialog").showModal();
});
$("#reset-dialog").addEventListener("close", () => {
  if ($("#reset-dialog").returnValue === "confirm") resetAll();
});

async function resetAll() {
  try {
    await api("/sim/api/reset", { method: "POST", body: "{}" });
    notice("已重置：手机、客服消息、短信和故障已清空，种子数据、会话和时钟回到了起点。");
  } catch (error) {
    notice(`重置失败：${error.message}`);
  }
  sim.cleared = {};
  localStorage.removeItem(CLEARED);
  sim.exchanges.clear();
  forgetAgents();
  for (const phone of sim.phones.values()) {
    phone.seen = "";
    phone.state = null;
    $(".heard", phone.node).textContent = "";
    refreshPhone(phone);
  }
  $("#saved").textContent = "";
  $("#saved-yaml").hidden = true;
  showFixture();
  await Promise.all([refreshShared(), refreshAgents(), refreshFaults(), refreshCounters(),
                     loadSeed().catch((error) => notice(`种子数据读取失败：${error.message}`))]);
}

for (const b of $$(".tabs [data-tab]")) b.addEventListener("click", () => showTab(b.dataset.tab));
$("#fault-badge").addEventListener("click", () => {
  showTab("tools");
  $("#faults-panel").scrollIntoView({ block: "start" });
});
$("#fixture").addEventListener("change", () => { sim.upto = 0; showFixture(); });
$("#fixture-run").addEventListener("click", () => { sim.upto = 0; runFixture(null); });
$("#fixture-step").addEventListener("click", () => { sim.upto += 1; runFixture(sim.upto); });
$("#save").addEventListener("click", saveFixture);
document.addEventListener("click", (event) => {
  if (!event.target.closest(".menu")) closeMenus();
});
init().catch((error) => notice(`模拟器启动失败：${error.message}`));
