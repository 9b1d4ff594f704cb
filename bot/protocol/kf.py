"""The customer-service events (platform-more.md §1.2), read into one small value.

wechatpy 1.8 parses all three (KfCreateSessionEvent / KfCloseSessionEvent `.account`,
KfSwitchSessionEvent `.from_account` / `.to_account`); this names them in one place so the
dialogue and the hand-over state need not know wechatpy's classes.
"""

from __future__ import annotations

from dataclasses import dataclass

from wechatpy.messages import BaseMessage

from bot.protocol.pushxml import event_of

KF_CREATE, KF_CLOSE, KF_SWITCH = "kf_create_session", "kf_close_session", "kf_switch_session"
KF_EVENTS = (KF_CREATE, KF_CLOSE, KF_SWITCH)


@dataclass(frozen=True)
class KfEvent:
    """`account` is the agent who has the follower now (the new one after a switch)."""

    openid: str
    event: str
    account: str
    from_account: str = ""


def kf_event(message: BaseMessage) -> KfEvent | None:
    """The hand-over event this push is, or None for any other push."""
    event = event_of(message)
    if event not in KF_EVENTS:
        return None
    data = message._data  # noqa: SLF001 - the fields as sent, whatever class wechatpy chose
    if event == KF_SWITCH:
        return KfEvent(message.source, event, str(data.get("ToKfAccount") or ""),
                       str(data.get("FromKfAccount") or ""))
    return KfEvent(message.source, event, str(data.get("KfAccount") or ""))


RELEASE = "kfsession_close"  # the outbox body's field that asks for kfsession/close
NO_SESSION = 65413  # kfsession/close's "no session": the agent or 30 idle minutes closed it


def release_body(openid: str, account: str, otherwise: str) -> dict:
    """The outbox entry asking the platform to end `openid`'s session with `account`.

    It goes out after the turn, through the courier like a message: `touser` keeps it in the
    follower's order, and the field holds kfsession/close's body as the API takes it.
    `otherwise` is said to the follower when the platform refuses to end it (the agent has
    them after all, and must not receive a code or password unannounced).
    """
    return {"touser": openid, RELEASE: {"kf_account": account, "openid": openid},
            "otherwise": otherwise}


def released(body: dict) -> dict | None:
    """kfsession/close's body when `body` is a release_body, else None (a message)."""
    found = body.get(RELEASE)
    return found if isinstance(found, dict) else None


def otherwise_body(body: dict) -> dict:
    """The text a release_body says when the session could not be ended."""
    return {"touser": body["touser"], "msgtype": "text",
            "text": {"content": str(body.get("otherwise") or "")}}
