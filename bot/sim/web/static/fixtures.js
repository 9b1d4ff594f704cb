// Fixtures from the page: run or step one with each step marked; save the session as one.
import { $, api, el, notice, sim } from "./util.js";

export async function loadFixtures() {
  const { fixtures } = await api("/sim/api/fixtures");
  sim.fixtures = fixtures;
  const select = $("#fixture");
  const chosen = select.value;
  select.replaceChildren(...fixtures.map((f) => el("option", { value: f.name, textContent: `${f.title} (${f.name})` })));
  if (chosen) select.value = chosen;
  showFixture();
}

export function showFixture(results = null) {
  const fixture = (sim.fixtures || []).find((f) => f.name === $("#fixture").value);
  $("#fixture-title").textContent = fixture ? `${fixture.steps.length} 步` : "";
  const steps = results ? results.steps : fixture ? fixture.steps.map((s) => ({ ...s, result: "" })) : [];
  $("#fixture-steps").replaceChildren(...steps.map((s) => el("li", { className: s.result.replace(" ", "-"), dataset: { result: s.result } },
    el("span", { className: "mark", textContent: { pass: "✓", fail: "✗", "not run": "·" }[s.result] || "○" }),
    el("span", { textContent: ` ${s.action}` }),
    s.got ? el("div", { className: "got", textContent: `应为 ${s.expected}；实际 ${s.got}` }) : null)));
}

export async function runFixture(upto) {
  const name = $("#fixture").value;
  if (!name) return;
  try {
    const result = await api("/sim/api/fixtures/run", { method: "POST", body: JSON.stringify(upto ? { name, upto } : { name }) });
    if (result.error) notice(`用例有误：${result.error}`);
    showFixture(result);
    const ran = result.steps.filter((s) => s.result !== "not run").length;
    $("#fixture-title").textContent = `${result.ok ? "通过" : "未通过"} · ${ran}/${result.steps.length} 步已运行`;
  } catch (error) {
    notice(`运行失败：${error.message}`);
  }
}

export async function saveFixture() {
  const users = [...sim.phones.keys()];
  try {
    const saved = await api("/sim/api/fixtures/save", { method: "POST", body: JSON.stringify({ users }) });
    $("#saved").textContent = `已保存 ${saved.steps} 步：${saved.path}（wxbot replay 可直接运行）`;
    $("#saved-yaml").textContent = saved.yaml;
    $("#saved-yaml").hidden = false;
    await loadFixtures();
  } catch (error) {
    $("#saved").textContent = `保存失败：${error.message}`;
  }
}
