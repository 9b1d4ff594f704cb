// Fault controls: a slow backend (/backend/v1/faults), the next platform API call failing with
// an errcode, the platform unreachable (/sim/api/faults, /sim/api/outage); what is armed, shown
// here and as a badge in the header, each with a way to clear it. Imports only util.js.
import { $, api, el, notice } from "./util.js";

const post = (path, body) => api(path, { method: "POST", body: JSON.stringify(body) });
const API_NAMES = { custom: "客服消息", template: "模板消息", token: "取 access_token", kf: "客服接口",
                    menu: "菜单", user: "用户信息" };

async function armed() {
  const [backend, platform] = await Promise.all([api("/backend/v1/faults").catch(() => null),
                                                 api("/sim/api/faults").catch(() => null)]);
  const items = [];
  if (backend && backend.armed.times > 0) {
    items.push(["backend", `后端变慢：接下来 ${backend.armed.times} 次调用各慢 ${backend.armed.delay} 秒`,
                () => post("/backend/v1/faults", { delay: 0 })]);
  }
  for (const f of platform ? platform.errors : []) {
    items.push([`error-${f.api}`, `平台 ${API_NAMES[f.api] || f.api} 接下来 ${f.times} 次调用报错 ${f.errcode}`,
                () => post("/sim/api/faults", { api: f.api, errcode: f.errcode, times: 0 })]);
  }
  for (const d of platform ? platform.delays : []) {
    items.push([`delay-${d.api}`, `平台 ${API_NAMES[d.api] || d.api} 接下来 ${d.times} 次调用晚 ${d.seconds} 秒回答`,
                () => post("/sim/api/faults", { api: d.api, delay: 0, times: 0 })]);
  }
  if (platform && platform.down) {
    items.push(["outage", "平台不可达：API 一律 HTTP 503", () => post("/sim/api/outage", { down: false })]);
  }
  return items;
}

export async function refreshFaults() {
  const items = await armed();
  const list = $("#faults-active");
  const key = items.map(([k, text]) => `${k}:${text}`).join("|");
  $("#fault-badge").hidden = !items.length;
  $("#fault-badge").textContent = `故障中 ${items.length}`;
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  if (!items.length) {
    list.replaceChildren(el("li", { className: "empty", textContent: "没有启用的故障" }));
    return;
  }
  list.replaceChildren(...items.map(([k, text, clear]) => el("li", { dataset: { fault: k } },
    el("span", { textContent: text }),
    el("button", { type: "button", className: "clear-fault", textContent: "清除", onclick: () => run(clear, "已清除") }))));
}

async function run(action, done) {
  try {
    await action();
    notice(done);
  } catch (error) {
    notice(`故障设置失败：${error.message}`);
  }
  await refreshFaults();
}

export function clearFaults() {
  return run(() => Promise.all([post("/backend/v1/faults", { delay: 0 }), post("/sim/api/faults/clear", {})]),
             "故障已全部清除");
}

$("#fault-slow").addEventListener("submit", (event) => {
  event.preventDefault();
  const delay = Number($("#fault-slow-seconds").value), times = Number($("#fault-slow-times").value);
  run(() => post("/backend/v1/faults", { delay, times }), `后端接下来 ${times} 次调用各慢 ${delay} 秒`);
});
$("#fault-error").addEventListener("submit", (event) => {
  event.preventDefault();
  const apiName = $("#fault-api").value, errcode = Number($("#fault-errcode").value);
  run(() => post("/sim/api/faults", { api: apiName, errcode, times: 1 }),
      `平台 ${API_NAMES[apiName]} 的下一次调用将报错 ${errcode}`);
});
$("#fault-outage").addEventListener("submit", (event) => {
  event.preventDefault();
  run(() => post("/sim/api/outage", { down: true }), "平台已断开：API 调用一律 HTTP 503");
});
$("#faults-clear").addEventListener("click", clearFaults);
