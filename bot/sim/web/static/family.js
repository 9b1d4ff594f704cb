// The other follower a consent request ties this phone to (GET /sim/api/state's `family`):
// the minor's phone shows the guardian asked, the guardian's the minor waiting, and the state.
import { $, el, left, sim } from "./util.js";

const ROLE = { minor: "等待监护人 waits for guardian", guardian: "请您确认 asks you" };

export function renderLinks(phone, links) {
  let box = $(".links", phone.node);
  if (!box) {
    box = el("p", { className: "links muted" });
    $(".state", phone.node).after(box);
  }
  box.replaceChildren(...links.map((link) => el("span", {
    className: `link ${link.state}`,
    dataset: { other: link.other, role: link.role },
    textContent: `${ROLE[link.role]} · ${link.other} · ${link.card} · ${link.state}` +
      (link.state === "waiting" ? ` · ${left(link.expires_at - (sim.now || Date.now() / 1000))}` : ""),
  })));
}
