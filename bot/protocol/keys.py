"""The key all retries of one delivery share: the engine keeps its reply under it, the recorder
drops repeats by it, so both must build it the same way."""

from __future__ import annotations


def delivery_key(
    user: str, msg_id: object, created: object, event: str | None = None, event_key: object = None
) -> str:
    """Retries share this key; MsgId alone has collided across users, so the user is in it.

    Events carry no MsgId: user, CreateTime, event name and EventKey stand in for it (two menu
    clicks in one second differ only by EventKey).
    """
    if event is not None:
        return f"e:{user}:{created}:{event}:{event_key or ''}"
    return f"m:{user}:{msg_id}"
