"""Redis store: the same promises as SQLite for deployments that already run Redis.

Multi-key steps are Lua scripts, so each is atomic on the server; TTLs are Redis's own.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from bot.clock import Clock
from bot.store.base import DEDUP_TTL, SESSION_GRACE, Claim, ClaimConflict, LockTimeout

STALE_TURN = 30.0
# KEYS: next, serving, since, skipped. ARGV: ticket, now, giving_up. End `ticket`'s turn if it
# is current; a waiter giving up whose turn has not come is marked to be passed over instead.
ADVANCE = """
local serving = tonumber(redis.call('GET', KEYS[2]) or '0')
if serving ~= tonumber(ARGV[1]) then
  if ARGV[3] == '1' then redis.call('SADD', KEYS[4], ARGV[1]) end
  return 0
end
serving = serving + 1
while redis.call('SREM', KEYS[4], tostring(serving)) == 1 do serving = serving + 1 end
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if serving >= nxt then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
else
  redis.call('SET', KEYS[2], serving)
  redis.call('SET', KEYS[3], ARGV[2])
end
return 1
"""
# KEYS: request key. ARGV: digest, ttl. 1 when fresh or the same body, 0 otherwise.
CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
return 0
"""


class RedisStore:
    """Keys live under `wxbot:`; one connection pool per store, shared by threads."""

    def __init__(self, url: str, clock: Clock | None = None, prefix: str = "wxbot:") -> None:
        self.clock = clock or Clock()
        self.prefix = prefix
        self.db = redis.Redis.from_url(url, decode_responses=True)
        self._advance = self.db.register_script(ADVANCE)
        self._claim = self.db.register_script(CLAIM)
        self._released = threading.Condition()

    def _turn_keys(self, user: str) -> list[str]:
        base = f"{self.prefix}turn:{{{user}}}:"  # one hash slot per user, for Redis Cluster
        return [base + "next", base + "serving", base + "since", base + "skipped"]

    def reply(self, key: str) -> str | None:
        return self.db.get(f"{self.prefix}reply:{key}")

    def claim_request(self, key: str, digest: str, ttl: int) -> bool:
        return bool(self._claim(keys=[f"{self.prefix}req:{key}"], args=[digest, ttl]))

    def session(self, user: str) -> dict | None:
        raw = self.db.get(f"{self.prefix}session:{user}")
        return json.loads(raw) if raw else None

    def clear_sessions(self) -> int:
        keys = list(self.db.scan_iter(match=f"{self.prefix}session:*", count=500))
        return sum(self.db.delete(*keys[i:i + 500]) for i in range(0, len(keys), 500))

    def save(self, user: str, session: dict | None, key: str, reply: str, ttl: int) -> None:
        pipe = self.db.pipeline(transaction=True)
        if session is None:
            pipe.delete(f"{self.prefix}session:{user}")
        else:
            pipe.set(f"{self.prefix}session:{user}", json.dumps(session, ensure_ascii=False),
                     ex=ttl + SESSION_GRACE)
        pipe.set(f"{self.prefix}reply:{key}", reply, ex=DEDUP_TTL)
        pipe.execute()

    @contextmanager
    def lock(self, user: str, timeout: float = 10.0, claim: Claim | None = None) -> Iterator[None]:
        if claim is not None and not self.claim_request(*claim):
            raise ClaimConflict(claim[0])
        keys = self._turn_keys(user)
        pipe = self.db.pipeline(transaction=True)
        pipe.incr(keys[0]).setnx(keys[2], time.time())
        ticket = pipe.execute()[0] - 1
        self._wait_turn(keys, ticket, timeout, user)
        try:
            yield
        finally:
            self._end(keys, ticket)

    def _wait_turn(self, keys: list[str], ticket: int, timeout: float, user: str) -> None:
        deadline, pause = time.monotonic() + timeout, 0.0005
        while True:
            serving, since = self.db.mget(keys[1], keys[2])
            serving = int(serving or 0)
            if serving == ticket:
                return
            if since and time.time() - float(since) > STALE_TURN:
                self._end(keys, serving)
                continue
            if time.monotonic() > deadline:
                self._end(keys, ticket, giving_up=True)
                raise LockTimeout(user)
            with self._released:
                self._released.wait(pause)
            pause = min(pause * 2, 0.02)

    def _end(self, keys: list[str], ticket: int, giving_up: bool = False) -> None:
        self._advance(keys=keys, args=[ticket, time.time(), int(giving_up)])
        with self._released:
            self._released.notify_all()

    def close(self) -> None:
        self.db.close()
