"""`GET /sim/api/counters`: the bot's own metrics, summed small enough for the page to poll.

Read from the app's `/metrics` text (the Prometheus exposition, summed over every worker under
gunicorn), so the workbench shows exactly what an operator's scrape sees. Totals only, by the
closed label sets the metrics carry: no openid, nothing a follower typed, can appear here.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from prometheus_client.parser import text_string_to_metric_families

counters_api = Blueprint("sim_counters_api", __name__, url_prefix="/sim/api")
METRICS_VIEW = "metrics"  # the endpoint name bot/server/probes.py registers /metrics under
# family -> (label to split by, or None for one total)
SHOWN = {"wxbot_pushes": None, "wxbot_turns": "outcome", "wxbot_replies": "result",
         "wxbot_api_sends": "outcome", "wxbot_deadline_misses": None}


def _totals(text: str) -> dict[str, Any]:
    """Per shown family: its total, or its totals by one label; the backend's calls and mean."""
    found: dict[str, Any] = {name: (0 if by is None else defaultdict(int))
                             for name, by in SHOWN.items()}
    calls, seconds = 0.0, 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if family.name in SHOWN and sample.name.endswith("_total"):
                by = SHOWN[family.name]
                if by is None:
                    found[family.name] += int(sample.value)
                else:
                    found[family.name][sample.labels.get(by, "other")] += int(sample.value)
            elif family.name == "wxbot_backend_seconds":
                if sample.name.endswith("_count"):
                    calls += sample.value
                elif sample.name.endswith("_sum"):
                    seconds += sample.value
    summary = {name.removeprefix("wxbot_"): dict(value) if isinstance(value, dict) else value
               for name, value in found.items()}
    summary["backend"] = {"calls": int(calls),
                          "mean_ms": round(seconds / calls * 1000, 1) if calls else None}
    return summary


@counters_api.get("/counters")
def counters() -> Any:
    """The summary, or 404 when this app serves no /metrics."""
    view = current_app.view_functions.get(METRICS_VIEW)
    if view is None:
        return jsonify(error="not_found", detail="this server has no /metrics"), 404
    response = current_app.make_response(view())
    return jsonify(_totals(response.get_data(as_text=True)))


def init_app(app: Flask) -> None:
    """Register the endpoint (simulator mode only, from bot.sim.web)."""
    app.register_blueprint(counters_api)
