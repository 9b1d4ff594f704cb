"""How a server process logs: `BOT_LOG_FORMAT=text` for people, `json` for a log pipeline.

One `logging.config` dict serves both servers: gunicorn applies it as `logconfig_dict`
(bot/server/gunicorn_conf.py, master and workers alike), `wxbot serve --dev`/`demo` through
`configure`. In json, every line on stderr is one object (time, level, logger, message,
request_id, and exc when there is a traceback), so `jq` reads the stream whole. What is in the
message is masked where it is written (openids by the courier, nothing a follower typed
anywhere); gunicorn's access log stays off, since the platform's query carries the openid.
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

from flask import g, has_request_context

FORMATS = ("text", "json")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RequestId(logging.Filter):
    """Stamps each record with the request id the webhook gave the request (None outside)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a traceback is a field, not more lines)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def config_dict(fmt: str) -> dict[str, Any]:
    """The logging config for `fmt` (text or json): one stderr handler for everything."""
    formatter = {"()": JsonFormatter} if fmt == "json" else {"format": TEXT}
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
               "formatter": "wxbot", "filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestId}},
        "formatters": {"wxbot": formatter},
        "handlers": {"wxbot": handler},
        "root": {"level": "INFO", "handlers": ["wxbot"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


def configure(fmt: str) -> None:
    """Log the process in `fmt` (the development server's and the demo's path)."""
    logging.config.dictConfig(config_dict(fmt))
