"""The queue's state changes, each one Lua script run atomically by Redis (no two workers ever lease one target).

Keys under the queue name Q: `Q:targets` (hash: id -> the target), `Q:state` (hash: id -> its state as JSON:
state, attempts, worker, lease, started, expires, takeovers, last outcome), `Q:pending` (sorted set: the order
targets are leased in), `Q:leases` (sorted set: lease expiry in ms), `Q:seq` (counter for order and lease
numbers). A lease's frontier (scrapy-redis keys) is `Q:frontier:N:*`, N the lease number; the sites' request
budgets (`ratelimit`) are `Q:rate:SITE[:EGRESS_ID]:*`. Times come from the Redis server's clock, so workers on
machines whose clocks differ agree on when a lease expires.
"""

# Every script starts with this head: the server's time in ms, and the state record of a target.
HEAD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function state(id)
  local raw = redis.call('HGET', KEYS[2], id)
  if raw then return cjson.decode(raw) end
  return nil
end
local function save(id, st) redis.call('HSET', KEYS[2], id, cjson.encode(st)) end
local function to_front(id)
  local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  local score = 0
  if #first > 0 then score = tonumber(first[2]) - 1 end
  redis.call('ZADD', KEYS[3], score, id)
end
"""

# Every script takes the same KEYS: targets, state, pending, leases, seq.

# ARGV: id, target JSON.
# A target already pending gets the new definition (e.g. --full) and keeps its place; one in flight is left alone;
# a finished or failed one starts a new round (attempts from 0).
ENQUEUE = """
local id = ARGV[1]
local st = state(id)
if st and st.state == 'in-flight' then return 'running' end
redis.call('HSET', KEYS[1], id, ARGV[2])
if st and st.state == 'pending' then return 'pending' end
redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[5]), id)
local new = {state = 'pending', attempts = 0, takeovers = 0, enqueued = now}
if st then new.last = st.last end
save(id, new)
if st then return 'again' end
return 'new'
"""

# ARGV: worker, lease ms, max attempts, queue name.
# First, leases that expired (their worker stopped renewing: killed, hung, cut off) end as attempts `interrupted`:
# their frontier is deleted (the requests its worker had popped are gone from it, their fingerprints are not)
# and the target goes back to the front of the queue, or to failed after max attempts. Then the first pending
# target is leased. Returns {id, target, attempt, lease} or false.
LEASE = """
local max_attempts = tonumber(ARGV[3])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)) do
  redis.call('ZREM', KEYS[4], id)
  local st = state(id)
  if st and st.state == 'in-flight' then
    local frontier = ARGV[4] .. ':frontier:' .. st.lease
    redis.call('DEL', frontier .. ':requests', frontier .. ':seen')
    st.takeovers = (st.takeovers or 0) + 1
    st.last = {reason = 'interrupted', worker = st.worker, at = now,
               note = 'the lease expired: the worker stopped renewing it'}
    st.expires = nil
    if st.attempts >= max_attempts then st.state = 'failed' else st.state = 'pending'; to_front(id) end
    save(id, st)
  end
end
local first = redis.call('ZRANGE', KEYS[3], 0, 0)
if #first == 0 then return false end
local id = first[1]
redis.call('ZREM', KEYS[3], id)
local st = state(id) or {attempts = 0, takeovers = 0}
st.state = 'in-flight'
st.attempts = (st.attempts or 0) + 1
st.worker = ARGV[1]
st.lease = redis.call('INCR', KEYS[5])
st.started = now
st.expires = now + tonumber(ARGV[2])
save(id, st)
redis.call('ZADD', KEYS[4], st.expires, id)
return {id, redis.call('HGET', KEYS[1], id), st.attempts, st.lease}
"""

# ARGV: id, lease, lease ms. The new expiry (ms), or false when the lease is
# no longer this worker's (it expired and the target was taken over).
RENEW = """
local st = state(ARGV[1])
if not st or st.state ~= 'in-flight' or st.lease ~= tonumber(ARGV[2]) then return false end
st.expires = now + tonumber(ARGV[3])
save(ARGV[1], st)
redis.call('ZADD', KEYS[4], st.expires, ARGV[1])
return st.expires
"""

# ARGV: id, lease, verdict, outcome JSON, max attempts.
# verdict: 'done' (finished), 'retry' (the attempt failed: again later, or failed after max attempts),
# 'release' (not the target's fault, e.g. the worker was stopped: back to the front, the attempt not counted).
# Returns the target's new state, or false when the lease is no longer this worker's (nothing changes).
FINISH = """
local id = ARGV[1]
local st = state(id)
if not st or st.state ~= 'in-flight' or st.lease ~= tonumber(ARGV[2]) then return false end
redis.call('ZREM', KEYS[4], id)
local outcome = cjson.decode(ARGV[4])
outcome.at = now
outcome.worker = st.worker
st.last = outcome
st.expires = nil
local verdict = ARGV[3]
if verdict == 'done' then
  st.state = 'finished'
elseif verdict == 'release' then
  st.attempts = st.attempts - 1
  st.state = 'pending'
  to_front(id)
elseif st.attempts >= tonumber(ARGV[5]) then
  st.state = 'failed'
else
  st.state = 'pending'
  redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[5]), id)
end
save(id, st)
return st.state
"""
