"""The outbox on Redis: one Stream with a consumer group, every key under one hash tag.

A courier reads new entries with XREADGROUP; an entry whose courier died stays pending and
is taken over with XAUTOCLAIM once it sat idle for the claim's lease. A retry sets the idle
time back (XCLAIM IDLE), so the entry becomes claimable again after the backoff.
"""

from __future__ import annotations

import json

import redis

from bot.store.base import Entry

GROUP = "couriers"
KEEP_SETTLED = 86_400  # seconds a key stays known after its entry was sent (idempotent put)
PUT = """
if redis.call('SET', KEYS[1], 'owed', 'NX', 'EX', ARGV[3]) then
  redis.call('XADD', KEYS[2], '*', 'key', ARGV[1], 'body', ARGV[2])
  return 1
end
return 0
"""
# KEYS: stream, tries, the key's marker, sent counter, failed hash. ARGV: id, state, key, why.
SETTLE = """
redis.call('XACK', KEYS[1], 'couriers', ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2], 'XX', 'KEEPTTL')
if ARGV[2] == 'sent' then redis.call('INCR', KEYS[4]) else
  redis.call('HSET', KEYS[5], ARGV[3], ARGV[4]) end
"""


class RedisOutbox:
    def __init__(self, db: redis.Redis, prefix: str) -> None:
        self.db, base = db, f"{prefix}{{outbox}}:"
        self.stream, self.tries = base + "stream", base + "tries"
        self.sent, self.failed, self.key_base = base + "sent", base + "failed", base + "k:"
        self._put, self._settle = db.register_script(PUT), db.register_script(SETTLE)
        self._lease_ms, self._grouped = 30_000, False
        try:
            self._group()
        except redis.RedisError:  # Redis is down or hung at start: the first claim tries again
            pass

    def _group(self) -> None:
        if self._grouped:
            return
        try:
            self.db.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._grouped = True

    def put(self, key: str, body: dict) -> bool:
        return bool(self._put(keys=[self.key_base + key, self.stream],
                              args=[key, json.dumps(body, ensure_ascii=False), KEEP_SETTLED]))

    def claim(self, consumer: str, limit: int, lease: float) -> list[Entry]:
        self._group()
        self._lease_ms = int(lease * 1000)
        _, taken, *_ = self.db.xautoclaim(self.stream, GROUP, consumer, self._lease_ms,
                                          "0-0", count=limit)
        if len(taken) < limit:
            for _, entries in self.db.xreadgroup(GROUP, consumer, {self.stream: ">"},
                                                 count=limit - len(taken)) or []:
                taken.extend(entries)
        found = []
        for ref, fields in taken:
            if not fields:  # deleted while pending
                continue
            attempts = self.db.hincrby(self.tries, ref, 1)
            found.append(Entry(ref, fields["key"], json.loads(fields["body"]), attempts))
        return found

    def ack(self, entry: Entry) -> None:
        self._end(entry, "sent", "")

    def retry(self, entry: Entry, delay: float) -> None:
        idle = max(0, self._lease_ms - int(delay * 1000))  # claimable again after `delay`
        self.db.xclaim(self.stream, GROUP, "backoff", 0, [entry.ref], idle=idle, justid=True)

    def fail(self, entry: Entry, reason: str) -> None:
        self._end(entry, "failed", reason)

    def _end(self, entry: Entry, state: str, reason: str) -> None:
        self._settle(keys=[self.stream, self.tries, self.key_base + entry.key, self.sent,
                           self.failed], args=[entry.ref, state, entry.key, reason])

    def counts(self) -> dict[str, int]:
        return {"owed": self.db.xlen(self.stream), "sent": int(self.db.get(self.sent) or 0),
                "failed": self.db.hlen(self.failed)}
