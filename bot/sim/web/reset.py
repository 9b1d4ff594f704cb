"""`POST /sim/api/reset`: the page's "全部重置", back to the start in one step.

Everything the page shows starts over, so a session never runs on another's leftovers: the
backend's seed (and its SMS outbox), every follower's session, the clock, the transcripts; on
the mock platform what reached each follower, the customer-service talk and every armed fault
or outage; the messages left for an agent; and a backend delay still armed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

from bot.sim.mockplatform.cgi import MOCK
from bot.sim.web.agents import NOTES
from bot.sim.web.bench import bench
from bot.sim.wire.followers import FOLLOWERS

reset_api = Blueprint("sim_reset_api", __name__, url_prefix="/sim/api")


def _platform_and_console() -> None:
    """The mock platform's talk and faults, the agents' notes, a backend delay still armed."""
    platform = current_app.extensions.get(MOCK)
    if platform is not None:
        platform.trouble.forget_talk()
        platform.trouble.clear()
    notes = current_app.extensions.get(NOTES)
    if notes is not None:
        notes.clear()
    disarm = getattr(bench().bot.backend, "arm_faults", None)
    if disarm is not None:
        disarm(0)


@reset_api.post("/reset")
def reset() -> Any:
    """Everything the page shows, back to where the server started."""
    work = bench()
    busy = work.reset([openid for _, openid, _ in FOLLOWERS])
    _platform_and_console()
    if busy:  # the rest was reset; these were mid-message and keep their session
        return jsonify(error="busy", detail="still answering these followers", busy=busy,
                       now=work.bot.clock.now()), 409
    return jsonify(ok=True, now=work.bot.clock.now())


def init_app(app: Flask) -> None:
    """Register the endpoint (simulator mode only, from bot.sim.web)."""
    app.register_blueprint(reset_api)
