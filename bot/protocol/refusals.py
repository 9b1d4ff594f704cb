"""What a request can be refused with; each carries the HTTP status the webhook answers."""

from __future__ import annotations


class ProtocolError(Exception):
    """A request the platform would never send; `status` is what the webhook answers."""

    status = 400


class Forbidden(ProtocolError):
    status = 403


class BadRequest(ProtocolError):
    status = 400
