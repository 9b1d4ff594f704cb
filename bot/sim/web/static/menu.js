// The account's menu as WeChat draws it: at most three buttons, sub-menus pop up.
// `send(phone, payload)` is handed in by phones.js, so imports point one way (phones -> menu).
import { $, $$, el, sim } from "./util.js";

export function drawMenu(phone, send) {
  const bar = $(".menu", phone.node);
  const buttons = sim.menu.button || [];
  bar.style.gridTemplateColumns = `repeat(${Math.max(1, buttons.length)}, 1fr)`;
  bar.replaceChildren(...buttons.map((button) => {
    const cell = el("div", { className: "menu-cell" });
    if (button.sub_button && button.sub_button.length) {
      const list = el("ul", { className: "submenu", hidden: true },
        ...button.sub_button.map((sub) => el("li", {}, menuButton(phone, sub, send))));
      const top = el("button", { type: "button", className: "has-sub", textContent: `≡ ${button.name}`,
                                 onclick: () => { closeMenus(list); list.hidden = !list.hidden; } });
      top.setAttribute("aria-haspopup", "true");
      cell.append(list, top);
    } else {
      cell.append(menuButton(phone, button, send));
    }
    return cell;
  }));
}

function menuButton(phone, button, send) {
  const node = el("button", { type: "button", textContent: button.name,
                              dataset: { key: button.key || "" } });
  if (button.type === "click" && button.key) {
    node.addEventListener("click", () => {
      closeMenus();
      send(phone, { type: "click", key: button.key, label: button.name });
    });
  } else {
    node.disabled = true;
    node.title = `${button.type || "?"} 按钮：模拟器只发送 click 事件`;
  }
  return node;
}

export function closeMenus(except) {
  for (const list of $$(".submenu")) if (list !== except) list.hidden = true;
}
