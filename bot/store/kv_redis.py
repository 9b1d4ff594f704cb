"""The KV in Redis (see bot/store/kv.py): SET NX for the mutex, Redis's own TTLs."""

from __future__ import annotations

import redis

REDIS_SOCKET_TIMEOUT = 2.0  # seconds for one Redis command; a token read must not hang a worker
REDIS_CONNECT_TIMEOUT = 1.0  # seconds to reach Redis at all
# Compare-and-delete, so a holder whose mutex expired cannot release a newer holder's.
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end " \
          "return 0"


class RedisKV:
    """Keys under `wxbot:kv:`; Redis's own TTLs and SET NX."""

    def __init__(self, url: str, prefix: str = "wxbot:kv:") -> None:
        options = {"decode_responses": True, "socket_timeout": REDIS_SOCKET_TIMEOUT,
                   "socket_connect_timeout": REDIS_CONNECT_TIMEOUT}
        if url.startswith("redis+cluster://"):
            from redis.cluster import RedisCluster

            self.db = RedisCluster.from_url("redis://" + url[len("redis+cluster://"):], **options)
        else:
            self.db = redis.Redis.from_url(url, **options)
        self.prefix = prefix
        self._release = self.db.register_script(RELEASE)

    @staticmethod
    def _ms(ttl: float) -> int:
        return max(1, int(ttl * 1000))

    def get(self, key: str) -> str | None:
        return self.db.get(self.prefix + key)

    def set(self, key: str, value: str, ttl: float) -> None:
        self.db.set(self.prefix + key, value, px=self._ms(ttl))

    def add(self, key: str, value: str, ttl: float) -> bool:
        return bool(self.db.set(self.prefix + key, value, px=self._ms(ttl), nx=True))

    def delete(self, key: str, value: str | None = None) -> None:
        if value is None:
            self.db.delete(self.prefix + key)
        else:
            self._release(keys=[self.prefix + key], args=[value])

    def close(self) -> None:
        self.db.close()
