"""The outbox on Redis: one Stream with a consumer group, every key under one hash tag.

A courier reads new entries with XREADGROUP; an entry whose courier died stays pending and
is taken over with XAUTOCLAIM once it sat idle for the claim's lease. A retry sets the idle
time back (XCLAIM IDLE), so the entry becomes claimable again after the backoff.

Per follower, a list holds the stream ids of their owed sends in order; an entry claimed
while an earlier one of its follower is still in the stream is handed back (GATE_DELAY),
uncounted. A Redis restarted without persistence loses the stream and its group: the claim
that meets NOGROUP makes the group again (and says so once) instead of failing for ever.

On a Redis Cluster a turn's script cannot reach this slot, so a turn's entries (its sends, an
owed reply, an owed turn) are pended on the follower's own list, in their slot, in the same
script as the turn's save (bot/store/redis_scripts.py `_PUT`); the courier's claim moves them
here first (`move`, idempotent by key): at once for the followers this process pended for,
and every SWEEP seconds for any follower's list (a process killed before its courier moved
them). A push stays two round trips and an entry is owed with its turn or not at all.
"""

from __future__ import annotations

import json
import logging
import threading
import time

import redis
from redis.cluster import RedisCluster

from bot.store.base import Entry, follower_of

log = logging.getLogger(__name__)

GROUP = "couriers"
KEEP_SETTLED = 86_400  # seconds a key stays known after its entry was sent (idempotent put)
GATE_DELAY = 0.5  # seconds before an entry held back behind its follower's earlier one is due
SWEEP = 30.0  # seconds between looks at every follower's pended entries (a cluster only)
MOVE_BATCH = 100  # pended entries of one follower moved per look
# KEYS: the key's marker, stream, the follower's list ('' for none). ARGV: key, body, ttl.
PUT = """
if redis.call('SET', KEYS[1], 'owed', 'NX', 'EX', ARGV[3]) then
  local id = redis.call('XADD', KEYS[2], '*', 'key', ARGV[1], 'body', ARGV[2])
  if KEYS[3] ~= KEYS[2] then
    redis.call('RPUSH', KEYS[3], id)
    redis.call('EXPIRE', KEYS[3], ARGV[3])
  end
  return 1
end
return 0
"""
# KEYS: stream, tries, the key's marker, sent counter, failed hash, unsure hash, follower's
# list. ARGV: id, state, key, why.
SETTLE = """
redis.call('XACK', KEYS[1], 'couriers', ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[6], ARGV[1])
if KEYS[7] ~= KEYS[1] then redis.call('LREM', KEYS[7], 1, ARGV[1]) end
redis.call('SET', KEYS[3], ARGV[2], 'XX', 'KEEPTTL')
if ARGV[2] == 'sent' then redis.call('INCR', KEYS[4]) else
  redis.call('HSET', KEYS[5], ARGV[3], ARGV[4]) end
"""
# KEYS: stream, the follower's list. ARGV: id. 1 when no earlier entry of the follower is
# still in the stream (heads whose entry is gone are dropped on the way).
GATE = """
while true do
  local head = redis.call('LINDEX', KEYS[2], 0)
  if not head or head == ARGV[1] then return 1 end
  if #redis.call('XRANGE', KEYS[1], head, head) > 0 then return 0 end
  redis.call('LPOP', KEYS[2])
end
"""


# KEYS: a follower's list of pended entries. ARGV: the entries moved, in order. Drops each from
# the head while it is the one moved (another courier may have moved them first, and the
# follower's turns may have pended more since). The entries left.
MOVED = """
for i = 1, #ARGV do
  if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[i] then break end
  redis.call('LPOP', KEYS[1])
end
return redis.call('LLEN', KEYS[1])
"""


class RedisOutbox:
    def __init__(self, db: redis.Redis | RedisCluster, prefix: str) -> None:
        self.db, base, self.prefix = db, f"{prefix}{{outbox}}:", prefix
        # A cluster: turns pend their entries in their follower's slot (see the module's doc).
        self.pends = isinstance(db, RedisCluster)
        self._pended: set[str] = set()  # followers this process pended for, not moved yet
        self._pended_lock = threading.Lock()
        self._swept = 0.0  # monotonic time of the last look at every follower's list
        self.stream, self.tries = base + "stream", base + "tries"
        self.sent, self.failed, self.key_base = base + "sent", base + "failed", base + "k:"
        self.unsure, self.line_base = base + "unsure", base + "f:"
        self._put, self._settle = db.register_script(PUT), db.register_script(SETTLE)
        self._gate, self._moved = db.register_script(GATE), db.register_script(MOVED)
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

    def _line(self, key: str, body: dict) -> str:
        """The follower's list of owed sends (the stream's own name: none to keep)."""
        follower = follower_of(key, body)
        return self.stream if follower is None else self.line_base + follower

    def keys(self, key: str, body: dict) -> list[str]:
        """The key's marker and its follower's list: what a turn's own script writes to put
        it (bot/store/redis_scripts.py `_PUT`), beside the stream, on a single node."""
        return [self.key_base + key, self._line(key, body)]

    def put(self, key: str, body: dict) -> bool:
        return self._put_json(key, json.dumps(body, ensure_ascii=False), body)

    def _put_json(self, key: str, raw: str, body: dict) -> bool:
        return bool(self._put(keys=[self.key_base + key, self.stream, self._line(key, body)],
                              args=[key, raw, KEEP_SETTLED]))

    def pending(self, user: str) -> str:
        """The follower's list of pended entries (their slot: the store's `{openid}` tag)."""
        return f"{self.prefix}{{{user}}}:obx"

    def pended(self, user: str) -> None:
        """A turn pended entries for `user`: the next claim moves them."""
        with self._pended_lock:
            self._pended.add(user)

    def move(self, sweep: bool = False) -> int:
        """Pended entries into the stream, each follower's in order; with `sweep`, every
        follower's (a SCAN of each node), not only this process's. How many were moved."""
        with self._pended_lock:
            users, self._pended = self._pended, set()
        moved, done = 0, set()
        try:
            if sweep:
                for name in self.db.scan_iter(match=self.pending("*"), count=1000):
                    user = name[len(self.prefix) + 1:-len("}:obx")]
                    if "}" not in user and name == self.pending(user):
                        users.add(user)
            for user in sorted(users):
                moved += self._move(user)
                done.add(user)
        except redis.RedisError:  # the ones not moved: again at the next claim
            with self._pended_lock:
                self._pended.update(users - done)
            raise
        return moved

    def _move(self, user: str) -> int:
        moved, left = 0, 1
        while left:
            raw = self.db.lrange(self.pending(user), 0, MOVE_BATCH - 1)
            if not raw:
                return moved
            for item in raw:
                key, body = json.loads(item)
                self._put_json(key, body, json.loads(body))
            left = self._moved(keys=[self.pending(user)], args=raw)
            moved += len(raw)
        return moved

    def claim(self, consumer: str, limit: int, lease: float) -> list[Entry]:
        if self.pends:
            self._move_first(time.monotonic() - self._swept >= SWEEP)
        self._group()
        self._lease_ms = int(lease * 1000)
        try:
            _, taken, *_ = self.db.xautoclaim(self.stream, GROUP, consumer, self._lease_ms,
                                              "0-0", count=limit)
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            log.warning("the outbox's consumer group was gone (Redis restarted without its "
                        "data?): made again; replies owed before the restart are lost")
            self._grouped = False
            self._group()
            taken = []
        found = self._admit(taken)
        if len(found) < limit:
            for _, entries in self.db.xreadgroup(GROUP, consumer, {self.stream: ">"},
                                                 count=limit - len(found)) or []:
                found.extend(self._admit(entries))
        return found

    def _admit(self, taken: list) -> list[Entry]:
        """The claimed entries a courier may send now; the others are handed back."""
        found = []
        for ref, fields in taken:
            if not fields:  # deleted while pending
                continue
            body = json.loads(fields["body"])
            line = self._line(fields["key"], body)
            if line != self.stream and not self._gate(keys=[self.stream, line], args=[ref]):
                self._hand_back(ref, GATE_DELAY)  # an earlier send of this follower first
                continue
            attempts = self.db.hincrby(self.tries, ref, 1)
            unsure = bool(self.db.hexists(self.unsure, ref))
            found.append(Entry(ref, fields["key"], body, attempts, unsure))
        return found

    def ack(self, entry: Entry) -> None:
        self._end(entry, "sent", "")

    def retry(self, entry: Entry, delay: float, unsure: bool = False) -> None:
        if unsure:
            self.db.hset(self.unsure, entry.ref, 1)
        self._hand_back(entry.ref, delay)

    def _hand_back(self, ref: str, delay: float) -> None:
        idle = max(0, self._lease_ms - int(delay * 1000))  # claimable again after `delay`
        self.db.xclaim(self.stream, GROUP, "backoff", 0, [ref], idle=idle, justid=True)

    def fail(self, entry: Entry, reason: str) -> None:
        self._end(entry, "failed", reason)

    def _end(self, entry: Entry, state: str, reason: str) -> None:
        self._settle(keys=[self.stream, self.tries, self.key_base + entry.key, self.sent,
                           self.failed, self.unsure, self._line(entry.key, entry.body)],
                     args=[entry.ref, state, entry.key, reason])

    def _move_first(self, sweep: bool) -> None:
        """Before a claim: a node that fails (its followers' entries stay pended, moved at a
        later claim) must not stop the claims of the others' entries from the stream."""
        if sweep:
            self._swept = time.monotonic()  # a failing sweep is not tried again at once
        try:
            self.move(sweep)
        except redis.RedisError as exc:
            if sweep:  # once a sweep, not once a claim
                log.warning("could not move pended outbox entries (moved at a later claim): "
                            "%s", exc)

    def counts(self) -> dict[str, int]:
        if self.pends:  # what this process's turns pended is owed too
            self._move_first(False)
        return {"owed": self.db.xlen(self.stream), "sent": int(self.db.get(self.sent) or 0),
                "failed": self.db.hlen(self.failed)}
