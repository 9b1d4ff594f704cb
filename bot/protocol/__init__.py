"""The platform's message protocol: codec, push XML, replies, refusals, delivery keys.

Rule: pure and sans-Flask; imports nothing of `bot` outside this package, and never `flows`.
Not named `wire` because `bot/sim/wire/` already means the platform's side of the same bytes.
The codec's names are re-exported here: `bot.protocol` is what callers have always imported.
"""

from bot.protocol.codec import (
    MAX_BODY,
    MODES,
    Article,
    BadRequest,
    Codec,
    Forbidden,
    Image,
    Inbound,
    News,
    ProtocolError,
    Reply,
    Text,
    Transfer,
    event_of,
    kind_of,
    parse_xml,
    render,
    sign,
    to_message,
)
from bot.protocol.kf import (
    KF_EVENTS,
    NO_SESSION,
    KfEvent,
    kf_event,
    otherwise_body,
    release_body,
    released,
)
from bot.protocol.subscribe import SUBSCRIBE_EVENTS, Subscribe, SubscribeMsgEvent

__all__ = ["MAX_BODY", "MODES", "Article", "BadRequest", "Codec", "Forbidden", "Image",
           "Inbound", "KF_EVENTS", "KfEvent", "NO_SESSION", "News", "ProtocolError", "Reply",
           "SUBSCRIBE_EVENTS", "Subscribe", "SubscribeMsgEvent", "Text", "Transfer", "event_of",
           "kf_event", "kind_of", "otherwise_body", "parse_xml", "release_body", "released",
           "render", "sign", "to_message"]
