"""How a server process logs: `BOT_LOG_FORMAT=text` for people, `json` for a log pipeline.

One `logging.config` dict serves both servers: gunicorn applies it as `logconfig_dict`
(bot/server/gunicorn_conf.py, master and workers alike), `wxbot serve --dev`/`demo` through
`configure`. In json, every line on stderr is one object (time, level, logger, message,
request_id, turn_id (bot/turnid.py: the delivery's turn, on whichever thread or instance ran it),
and exc when there is a traceback), so `jq` reads the stream whole. What is in the
message is masked where it is written (openids by the courier, nothing a follower typed
anywhere); gunicorn's access log stays out of it (the platform's query carries the openid)
unless the operator asks for one with `--access-logfile`.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import g, has_request_context

from bot import turnid

FORMATS = ("text", "json")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
OPENID = re.compile(r"(openid=[^&\s\"]{0,4})[^&\s\"]*")
# The request id of a push served without Flask's request context (bot/server/webhook.py's
# direct path); inside a request context it is `g.request_id`, as before.
REQUEST_ID: ContextVar[str | None] = ContextVar("wxbot_request_id", default=None)


class RequestId(logging.Filter):
    """Stamps each record with the request id the webhook gave the request (None outside)
    and the turn id of the delivery being handled (None outside a turn)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else \
                REQUEST_ID.get()
        if not hasattr(record, "turn_id"):
            record.turn_id = turnid.CURRENT.get()
        return True


class MaskOpenid(logging.Filter):
    """The development server logs each request line, whose query carries the follower's
    openid: it is cut to the courier's mask (`oZha***`) before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "openid=" in message:
            record.msg, record.args = OPENID.sub(r"\1***", message), ()
        return True


class NoAccessLog(logging.Filter):
    """Keeps gunicorn's access lines out of this handler: the query carries the openid. An
    operator's `--access-logfile` still gets them, through gunicorn's own handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name != "gunicorn.access"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a traceback is a field, not more lines)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "turn_id": getattr(record, "turn_id", None),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def config_dict(fmt: str) -> dict[str, Any]:
    """The logging config for `fmt` (text or json): one stderr handler for everything."""
    formatter = {"()": JsonFormatter} if fmt == "json" else {"format": TEXT}
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
               "formatter": "wxbot", "filters": ["request_id", "no_access", "openid"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestId}, "no_access": {"()": NoAccessLog},
                    "openid": {"()": MaskOpenid}},
        "formatters": {"wxbot": formatter},
        "handlers": {"wxbot": handler},
        "root": {"level": "INFO", "handlers": ["wxbot"]},
        # gunicorn.access is not listed: listing it would drop an asked-for access log.
        "loggers": {"gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True}},
    }


def configure(fmt: str) -> None:
    """Log the process in `fmt` (the development server's and the demo's path)."""
    logging.config.dictConfig(config_dict(fmt))
