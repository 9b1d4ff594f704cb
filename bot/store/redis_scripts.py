"""The Redis store's atomic steps, as Lua: the rules of bot/store/turns.py, on Redis's clock.

Every script touches keys of one follower only (one `{openid}` hash slot), so each runs on
one node of a Redis Cluster. Times are milliseconds from the server's TIME, so instances
whose clocks disagree still agree on leases.
"""

from __future__ import annotations

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""
# KEYS: turn hash, skipped set. ARGV: ticket, lease ms. Pass the served ticket on.
_ADVANCE = """
local function advance(lease)
  local serving = tonumber(redis.call('HGET', KEYS[1], 'serving')) + 1
  while redis.call('SREM', KEYS[2], serving) == 1 do serving = serving + 1 end
  -- kept when nobody is in line: the counter must go on (it expires a day after use)
  redis.call('HSET', KEYS[1], 'serving', serving, 'until', now + lease)
end
"""
# ARGV: lease ms, key ttl ms. {the new ticket, 1 when it is served at once (nobody in line)}.
TAKE = _NOW + """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'next', now, 'serving', now + 1, 'until', now + ARGV[1])
end
local ticket = redis.call('HINCRBY', KEYS[1], 'next', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if tonumber(redis.call('HGET', KEYS[1], 'serving')) == ticket then
  redis.call('HSET', KEYS[1], 'until', now + ARGV[1])
  return {ticket, 1}
end
return {ticket, 0}
"""
# ARGV: ticket, lease ms, key ttl ms. 1 got the turn, 0 wait, -1 passed over.
ATTEMPT = _NOW + _ADVANCE + """
local ticket = tonumber(ARGV[1])
while true do
  local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '-1')
  if serving == ticket then
    redis.call('HSET', KEYS[1], 'until', now + ARGV[2])
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    return 1
  end
  if serving == -1 or serving > ticket then return -1 end
  if tonumber(redis.call('HGET', KEYS[1], 'until')) >= now then return 0 end
  advance(ARGV[2])
end
"""
# ARGV: ticket, lease ms. 1 when renewed.
RENEW = _NOW + """
if tonumber(redis.call('HGET', KEYS[1], 'serving') or '-1') ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'until', now + ARGV[2])
return 1
"""
# ARGV: ticket, lease ms, giving up (1/0), key ttl ms.
END = _NOW + _ADVANCE + """
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '-1')
if serving == tonumber(ARGV[1]) then advance(ARGV[2]) return 1 end
if ARGV[3] == '1' and serving ~= -1 and tonumber(ARGV[1]) > serving then
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return 0
"""
# KEYS: reply, inflight. ARGV: RUNNING, lease ms. The record, or nil after marking RUNNING.
BEGIN = """
local found = redis.call('GET', KEYS[1]) or redis.call('GET', KEYS[2])
if found then return found end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return false
"""
# KEYS: reply, inflight, turn, skipped, session, marker, the query's claim (or any key above
#       when it is claimed apart), then the KV keys to read.
# ARGV: RUNNING, lease ms, key ttl ms, claim digest ('' none), claim ttl s, join (1/0).
# {0} the claim conflicts; {1, record} a known delivery; {2, false, ticket, served[, session,
# marker, KV values...]} a new one, in its follower's line (read only when served at once).
BEGIN_TURN = _NOW + """
if ARGV[4] ~= '' and not redis.call('SET', KEYS[7], ARGV[4], 'NX', 'EX', ARGV[5]) and
   redis.call('GET', KEYS[7]) ~= ARGV[4] then
  return {0}
end
local found = redis.call('GET', KEYS[1]) or redis.call('GET', KEYS[2])
if found then return {1, found} end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
if ARGV[6] == '0' then return {2, false, 0, 0} end
if redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('HSET', KEYS[3], 'next', now, 'serving', now + 1, 'until', now + ARGV[2])
end
local ticket = redis.call('HINCRBY', KEYS[3], 'next', 1)
redis.call('PEXPIRE', KEYS[3], ARGV[3])
if tonumber(redis.call('HGET', KEYS[3], 'serving')) ~= ticket then
  return {2, false, ticket, 0}
end
redis.call('HSET', KEYS[3], 'until', now + ARGV[2])
local out = {2, false, ticket, 1, redis.call('GET', KEYS[5]), redis.call('GET', KEYS[6])}
for i = 8, #KEYS do out[#out + 1] = redis.call('GET', KEYS[i]) end
return out
"""
# A turn's outbox entries, owed in the turn's own script (with what makes them owed, or not at
# all). `mode` 'put': one Redis node, the outbox's put itself (bot/store/redis_outbox.py PUT):
# `where` is the stream, `marker` the key's marker, `line` the follower's list (the stream:
# none). 'pend': a cluster, whose outbox is in another slot: `where` is the follower's own
# list of entries to hand to the outbox (RedisOutbox.move does, idempotent by key).
_PUT = """
local function put(mode, where, marker, line, key, body, ttl)
  if mode == 'pend' then
    redis.call('RPUSH', where, cjson.encode({key, body}))
    redis.call('EXPIRE', where, ttl)
    return
  end
  if not redis.call('SET', marker, 'owed', 'NX', 'EX', ttl) then return end
  local id = redis.call('XADD', where, '*', 'key', key, 'body', body)
  if line ~= where then
    redis.call('RPUSH', line, id)
    redis.call('EXPIRE', line, ttl)
  end
end
"""
# KEYS: reply, inflight[, where the owed turn goes, its marker ('put' only): see _PUT].
# ARGV: OWED, lease ms[, the turn's outbox key, its body, outbox ttl s, mode].
# The reply when done, else nil after marking (and owing the turn, when asked).
OWE = _PUT + """
local found = redis.call('GET', KEYS[1])
if found then return found end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
if ARGV[6] then put(ARGV[6], KEYS[3], KEYS[4], KEYS[3], ARGV[3], ARGV[4], ARGV[5]) end
return false
"""
# KEYS: turn, skipped, session, marker, reply, inflight, said-list (any key above: none),
#       where entries go ('put': the stream, the owed body's marker and list, then each
#       send's marker and list; 'pend': the follower's list alone): see _PUT.
# ARGV: token ('' none), remember, session json ('' drops it), marker json, ttl s, grace s,
#       reply, owed json ('' none), OWED, dedup s, lease ms,
#       marks json ('' none), said-list ttl s, marks kept,
#       outbox ttl s, the delivery key, mode, then each send's key and body.
# -1 lease lost; 2 entries were pended for the outbox; 0 done. The entries go in after the
# lease check: a turn that lost its turn owes nothing.
SAVE = _NOW + _ADVANCE + _PUT + """
if ARGV[1] ~= '' and
   tonumber(redis.call('HGET', KEYS[1], 'serving') or '-1') ~= tonumber(ARGV[1]) then
  return -1
end
local remember, reply, sending = ARGV[2], ARGV[7], 0
if remember == '1' then
  if ARGV[3] == '' then
    redis.call('DEL', KEYS[3], KEYS[4])
  else
    redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[5])
    redis.call('SET', KEYS[4], ARGV[4], 'EX', ARGV[5] + ARGV[6])
  end
end
local mode = ARGV[17]
for i = 0, (#ARGV - 17) / 2 - 1 do
  put(mode, KEYS[8], KEYS[11 + 2 * i], KEYS[12 + 2 * i], ARGV[18 + 2 * i], ARGV[19 + 2 * i],
      ARGV[15])
  if mode == 'pend' then sending = 2 end
end
if redis.call('GET', KEYS[6]) == ARGV[9] and ARGV[8] ~= '' then
  put(mode, KEYS[8], KEYS[9], KEYS[10], ARGV[16], ARGV[8], ARGV[15])
  reply, remember = '', '1'
  if mode == 'pend' then sending = 2 end
end
redis.call('DEL', KEYS[6])
if remember == '1' then redis.call('SET', KEYS[5], reply, 'EX', ARGV[10]) end
if ARGV[1] ~= '' then advance(ARGV[11]) end
if ARGV[12] ~= '' then
  local held, seen = {}, {}
  local raw = redis.call('GET', KEYS[7])
  if raw then held = cjson.decode(raw) end
  for _, mark in ipairs(held) do seen[mark] = true end
  for _, mark in ipairs(cjson.decode(ARGV[12])) do
    if not seen[mark] then held[#held + 1], seen[mark] = mark, true end
  end
  local kept = {}
  for i = math.max(1, #held - tonumber(ARGV[14]) + 1), #held do kept[#kept + 1] = held[i] end
  redis.call('SET', KEYS[7], cjson.encode(kept), 'EX', ARGV[13])
end
return sending
"""
# KEYS: request key. ARGV: digest, ttl. 1 when fresh or the same body, 0 otherwise.
CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
return 0
"""
