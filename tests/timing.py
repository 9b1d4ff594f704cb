"""The clock figures the timing tests share, in one place: the bot's own lease, recheck and
renewal periods (imported, never restated), the platform's window, the compressed deadline of
in-process window tests, and the slack a loaded 2-core machine needs.

A test that waits for a lease, a recheck or a renewal takes its number from here, so a change
to bot/store/base.py's LEASE or the courier's RECHECK moves every wait with it.
"""

from __future__ import annotations

from bot.outbound.courier import CLAIM_LEASE, RECHECK
from bot.store import LEASE
from bot.window.workers import RENEW_EVERY

WINDOW = 5.0  # s the platform waits for a passive reply, then gives up (or marks it late)
DEADLINE = 0.5  # s: BOT_REPLY_DEADLINE compressed, for in-process window and rescue tests
MARGIN = 0.5  # s of scheduling slack on a shared 2-core machine
# s for another instance to send a dead holder's reply: its lease lapses, a courier looks; at
# worst the dead one's courier held the entry's claim, which hides it for CLAIM_LEASE more
RESCUED = CLAIM_LEASE + LEASE + RECHECK + 5
RENEW_FAST = 0.001  # s between the renewer's rounds where a test watches every renewal
# s for a started server (wxbot serve/demo/backend, gunicorn and its workers) to answer
# /healthz: the suite runs on every core, on machines other work shares; not a tested promise
READY_TIMEOUT = 45.0

__all__ = ["CLAIM_LEASE", "DEADLINE", "LEASE", "MARGIN", "RECHECK", "READY_TIMEOUT", "RENEW_EVERY",
           "RENEW_FAST", "RESCUED", "WINDOW"]
