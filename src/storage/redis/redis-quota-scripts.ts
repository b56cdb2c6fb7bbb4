/**
 * Lua scripts run by Redis atomically, so that every replica's check-and-reserve sees the others'.
 *
 * Keys per budget (scope and period): `spend` (a float, the settled USD), `held` (a sorted set of
 * reservation ids by expiry) and `amounts` (a hash: id → USD). Keys per rate scope: `requests` (a
 * sorted set of request ids by arrival, the sliding minute) and `tokens` (a hash: id → tokens).
 */

/**
 * ARGV: now, id, costUsd, tokens, ttlMs, budgetCount, then per budget (limitUsd, periodEndMs),
 * then per rate (rpm or -1, tpm or -1). KEYS: per budget (spend, held, amounts), then per rate
 * (requests, tokens). Returns {status, detail...}: status 0 reserved, 1 unseeded budget indexes,
 * 2 budget refused (index, spent, reserved), 3 rate refused (index, 'rpm'|'tpm', retryAfterMs);
 * the rate states (requests, tokens, resetMs per rate) follow.
 */
export const RESERVE_SCRIPT = `
local now = tonumber(ARGV[1])
local id = ARGV[2]
local cost = tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local budgetCount = tonumber(ARGV[6])
local rateCount = (#KEYS - budgetCount * 3) / 2
local minute = 60000

local function prune(heldKey, amountKey, upTo)
  local gone = redis.call('ZRANGEBYSCORE', heldKey, '-inf', upTo)
  for _, member in ipairs(gone) do redis.call('HDEL', amountKey, member) end
  if #gone > 0 then redis.call('ZREMRANGEBYSCORE', heldKey, '-inf', upTo) end
end

local function sumHash(key)
  local total = 0
  local values = redis.call('HVALS', key)
  for _, value in ipairs(values) do total = total + tonumber(value) end
  return total
end

local function rateState(index)
  local requestsKey = KEYS[budgetCount * 3 + (index - 1) * 2 + 1]
  local tokensKey = KEYS[budgetCount * 3 + (index - 1) * 2 + 2]
  prune(requestsKey, tokensKey, now - minute)
  local count = redis.call('ZCARD', requestsKey)
  local used = sumHash(tokensKey)
  local resetMs = 0
  if count > 0 then
    local oldest = redis.call('ZRANGE', requestsKey, 0, 0, 'WITHSCORES')
    resetMs = tonumber(oldest[2]) + minute - now
  end
  return count, used, resetMs
end

local unseeded = {}
for index = 1, budgetCount do
  if redis.call('EXISTS', KEYS[(index - 1) * 3 + 1]) == 0 then table.insert(unseeded, index) end
end

local states = {}
for index = 1, rateCount do
  local count, used, resetMs = rateState(index)
  table.insert(states, count)
  table.insert(states, tostring(used))
  table.insert(states, resetMs)
end

local function answer(head)
  for _, value in ipairs(states) do table.insert(head, value) end
  return head
end

if #unseeded > 0 then
  local head = {1, #unseeded}
  for _, index in ipairs(unseeded) do table.insert(head, index) end
  return answer(head)
end

for index = 1, budgetCount do
  local base = (index - 1) * 3
  local limit = tonumber(ARGV[6 + (index - 1) * 2 + 1])
  prune(KEYS[base + 2], KEYS[base + 3], now)
  local spent = tonumber(redis.call('GET', KEYS[base + 1]))
  local reserved = sumHash(KEYS[base + 3])
  if spent + reserved + cost > limit then
    return answer({2, index, tostring(spent), tostring(reserved)})
  end
end

local rateArgs = 6 + budgetCount * 2
for index = 1, rateCount do
  local rpm = tonumber(ARGV[rateArgs + (index - 1) * 2 + 1])
  local tpm = tonumber(ARGV[rateArgs + (index - 1) * 2 + 2])
  local count = states[(index - 1) * 3 + 1]
  local used = tonumber(states[(index - 1) * 3 + 2])
  local resetMs = math.max(1, states[(index - 1) * 3 + 3])
  if rpm >= 0 and count + 1 > rpm then return answer({3, index, 'rpm', resetMs}) end
  if tpm >= 0 and used + tokens > tpm then return answer({3, index, 'tpm', resetMs}) end
end

for index = 1, budgetCount do
  local base = (index - 1) * 3
  local periodEnd = tonumber(ARGV[6 + (index - 1) * 2 + 2])
  redis.call('ZADD', KEYS[base + 2], now + ttl, id)
  redis.call('HSET', KEYS[base + 3], id, cost)
  local keep = math.max(periodEnd - now, ttl) + 86400000
  redis.call('PEXPIRE', KEYS[base + 2], keep)
  redis.call('PEXPIRE', KEYS[base + 3], keep)
end
for index = 1, rateCount do
  local requestsKey = KEYS[budgetCount * 3 + (index - 1) * 2 + 1]
  local tokensKey = KEYS[budgetCount * 3 + (index - 1) * 2 + 2]
  redis.call('ZADD', requestsKey, now, id)
  redis.call('HSET', tokensKey, id, tokens)
  redis.call('PEXPIRE', requestsKey, minute * 2)
  redis.call('PEXPIRE', tokensKey, minute * 2)
  states[(index - 1) * 3 + 1] = states[(index - 1) * 3 + 1] + 1
  states[(index - 1) * 3 + 2] = tostring(tonumber(states[(index - 1) * 3 + 2]) + tokens)
end
return answer({0})
`;

/**
 * ARGV: id, costUsd, tokens, budgetCount. KEYS as for the reserve script. A budget counter that
 * is gone (the store restarted) is left for the next seed from the durable log, which holds this
 * request once its row is written: adding to it here could count the request twice.
 */
export const SETTLE_SCRIPT = `
local id = ARGV[1]
local cost = ARGV[2]
local tokens = ARGV[3]
local budgetCount = tonumber(ARGV[4])
local rateCount = (#KEYS - budgetCount * 3) / 2
for index = 1, budgetCount do
  local base = (index - 1) * 3
  redis.call('ZREM', KEYS[base + 2], id)
  redis.call('HDEL', KEYS[base + 3], id)
  if redis.call('EXISTS', KEYS[base + 1]) == 1 then redis.call('INCRBYFLOAT', KEYS[base + 1], cost) end
end
for index = 1, rateCount do
  local tokensKey = KEYS[budgetCount * 3 + (index - 1) * 2 + 2]
  if redis.call('HEXISTS', tokensKey, id) == 1 then redis.call('HSET', tokensKey, id, tokens) end
end
return 0
`;
