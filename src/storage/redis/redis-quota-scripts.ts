/**
 * Lua scripts run by Redis atomically, so that every replica's check-and-reserve sees the others'.
 *
 * Keys per budget (scope and period): `spend` (a float, the settled USD), `held` (a sorted set of
 * reservation ids by expiry), `amounts` (a hash: id → USD) and `heldSum` (their total). Keys per
 * rate scope: `requests` (a sorted set of request ids by arrival: the sliding minute), `tokens`
 * (a hash: id → tokens, kept only for a tpm limit) and `tokenSum`. Running totals are kept beside
 * the sets so that a check costs the same however many requests the minute holds.
 */
const HELPERS = `
local minute = 60000
-- Entries pruned per call, at most: the rest go on the next one.
local pruneLimit = 500

local function readNumber(key)
  return tonumber(redis.call('GET', key)) or 0
end

-- Removes members scored at or below upTo from a sorted set, subtracting their amounts (if kept).
local function prune(setKey, amountKey, sumKey, upTo)
  local gone = redis.call('ZRANGEBYSCORE', setKey, '-inf', upTo, 'LIMIT', 0, pruneLimit)
  if #gone == 0 then return end
  if amountKey then
    local amounts = redis.call('HMGET', amountKey, unpack(gone))
    local total = 0
    for _, value in ipairs(amounts) do total = total + (tonumber(value) or 0) end
    redis.call('HDEL', amountKey, unpack(gone))
    redis.call('INCRBYFLOAT', sumKey, -total)
  end
  redis.call('ZREM', setKey, unpack(gone))
  if redis.call('ZCARD', setKey) == 0 and sumKey then redis.call('SET', sumKey, 0) end
end
`;

/**
 * ARGV: now, id, costUsd, tokens, ttlMs, budgetCount, then per budget (limitUsd, periodEndMs),
 * then per rate (rpm or -1, tpm or -1). KEYS: per budget (spend, held, amounts, heldSum), then per
 * rate (requests, tokens, tokenSum). Returns {status, detail...}: status 0 reserved, 1 unseeded
 * budget indexes, 2 budget refused (index, spent, reserved), 3 rate refused (index, 'rpm'|'tpm',
 * retryAfterMs); the rate states (requests, tokens, resetMs per rate) follow.
 */
export const RESERVE_SCRIPT = `${HELPERS}
local now = tonumber(ARGV[1])
local id = ARGV[2]
local cost = tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local budgetCount = tonumber(ARGV[6])
local rateCount = (#KEYS - budgetCount * 4) / 3
local rateArgs = 6 + budgetCount * 2

local function rateKeys(index)
  local base = budgetCount * 4 + (index - 1) * 3
  return KEYS[base + 1], KEYS[base + 2], KEYS[base + 3]
end

local function tpmOf(index) return tonumber(ARGV[rateArgs + (index - 1) * 2 + 2]) end
local function rpmOf(index) return tonumber(ARGV[rateArgs + (index - 1) * 2 + 1]) end

local states = {}
for index = 1, rateCount do
  local requestsKey, tokensKey, sumKey = rateKeys(index)
  local tracked = tpmOf(index) >= 0
  prune(requestsKey, tracked and tokensKey or nil, tracked and sumKey or nil, now - minute)
  local count = redis.call('ZCARD', requestsKey)
  local resetMs = 0
  if count > 0 then
    local oldest = redis.call('ZRANGE', requestsKey, 0, 0, 'WITHSCORES')
    resetMs = tonumber(oldest[2]) + minute - now
  end
  table.insert(states, count)
  table.insert(states, tostring(tracked and readNumber(sumKey) or 0))
  table.insert(states, resetMs)
end

local function answer(head)
  for _, value in ipairs(states) do table.insert(head, value) end
  return head
end

local unseeded = {}
for index = 1, budgetCount do
  if redis.call('EXISTS', KEYS[(index - 1) * 4 + 1]) == 0 then table.insert(unseeded, index) end
end
if #unseeded > 0 then
  local head = {1, #unseeded}
  for _, index in ipairs(unseeded) do table.insert(head, index) end
  return answer(head)
end

for index = 1, budgetCount do
  local base = (index - 1) * 4
  local limit = tonumber(ARGV[6 + (index - 1) * 2 + 1])
  prune(KEYS[base + 2], KEYS[base + 3], KEYS[base + 4], now)
  local spent = readNumber(KEYS[base + 1])
  local reserved = math.max(0, readNumber(KEYS[base + 4]))
  if spent + reserved + cost > limit then
    return answer({2, index, tostring(spent), tostring(reserved)})
  end
end

for index = 1, rateCount do
  local rpm = rpmOf(index)
  local tpm = tpmOf(index)
  local count = states[(index - 1) * 3 + 1]
  local used = tonumber(states[(index - 1) * 3 + 2])
  local resetMs = math.max(1, states[(index - 1) * 3 + 3])
  if rpm >= 0 and count + 1 > rpm then return answer({3, index, 'rpm', resetMs}) end
  if tpm >= 0 and used + tokens > tpm then return answer({3, index, 'tpm', resetMs}) end
end

for index = 1, budgetCount do
  local base = (index - 1) * 4
  local periodEnd = tonumber(ARGV[6 + (index - 1) * 2 + 2])
  redis.call('ZADD', KEYS[base + 2], now + ttl, id)
  redis.call('HSET', KEYS[base + 3], id, cost)
  redis.call('INCRBYFLOAT', KEYS[base + 4], cost)
  local keep = math.max(periodEnd - now, ttl) + 86400000
  for part = 2, 4 do redis.call('PEXPIRE', KEYS[base + part], keep) end
end
for index = 1, rateCount do
  local requestsKey, tokensKey, sumKey = rateKeys(index)
  redis.call('ZADD', requestsKey, now, id)
  redis.call('PEXPIRE', requestsKey, minute * 2)
  states[(index - 1) * 3 + 1] = states[(index - 1) * 3 + 1] + 1
  if tpmOf(index) >= 0 then
    redis.call('HSET', tokensKey, id, tokens)
    redis.call('INCRBYFLOAT', sumKey, tokens)
    redis.call('PEXPIRE', tokensKey, minute * 2)
    redis.call('PEXPIRE', sumKey, minute * 2)
    states[(index - 1) * 3 + 2] = tostring(tonumber(states[(index - 1) * 3 + 2]) + tokens)
  end
end
return answer({0})
`;

/**
 * ARGV: id, costUsd, tokens, budgetCount. KEYS as for the reserve script. A budget counter that
 * is gone (the store restarted) is left for the next seed from the durable log, which holds this
 * request once its row is written: adding to it here could count the request twice.
 */
export const SETTLE_SCRIPT = `${HELPERS}
local id = ARGV[1]
local cost = ARGV[2]
local tokens = tonumber(ARGV[3])
local budgetCount = tonumber(ARGV[4])
local rateCount = (#KEYS - budgetCount * 4) / 3
for index = 1, budgetCount do
  local base = (index - 1) * 4
  local held = tonumber(redis.call('HGET', KEYS[base + 3], id))
  if held then
    redis.call('HDEL', KEYS[base + 3], id)
    redis.call('ZREM', KEYS[base + 2], id)
    redis.call('INCRBYFLOAT', KEYS[base + 4], -held)
  end
  if redis.call('EXISTS', KEYS[base + 1]) == 1 then redis.call('INCRBYFLOAT', KEYS[base + 1], cost) end
end
for index = 1, rateCount do
  local base = budgetCount * 4 + (index - 1) * 3
  local previous = tonumber(redis.call('HGET', KEYS[base + 2], id))
  if previous then
    redis.call('HSET', KEYS[base + 2], id, tokens)
    redis.call('INCRBYFLOAT', KEYS[base + 3], tokens - previous)
  end
end
return 0
`;
