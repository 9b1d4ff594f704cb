"""SHIM (kept for users): `gunicorn -c python:bot.gunicorn_conf` as docs/deployment.md shows
it. The settings live in bot/server/gunicorn_conf.py; import nothing else from here."""

from bot.server.gunicorn_conf import *  # noqa: F403
