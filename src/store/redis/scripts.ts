/**
 * Lua scripts behind the Redis IdMap. Each runs atomically, so a record and its indexes (key, app id,
 * externalId) always agree. Every key of one app and resource kind shares the hash tag `{app:kind}`, so
 * a script touches a single slot; it declares that slot's counter key (KEYS[1]) so that Redis Cluster
 * runs it on the node owning the slot.
 *
 * Layout under the prefix P = "scimgw:{app:kind}:":
 *   P r:<scimId>    hash: s scimId, a appId, k key, kn key lower-cased, x externalId, h shadow JSON,
 *                   p app hash, c created, m lastModified, o committed ("1"/"0"); "" stands for null
 *   P k:<kn>        string: the scimId holding that key
 *   P a:<appId>     string: the scimId mapped to that app object
 *   P x:<extId>     set of scimIds with that externalId
 *   P n             count of records
 */

const COMMON = `
local P = ARGV[1]
local function record(id)
  if not id then return nil end
  local flat = redis.call('HGETALL', P .. 'r:' .. id)
  if #flat == 0 then return nil end
  return flat
end
local function field(flat, name)
  for i = 1, #flat, 2 do if flat[i] == name then return flat[i + 1] end end
  return ''
end
local function holder(kind, value)
  if value == '' then return nil end
  return redis.call('GET', P .. kind .. ':' .. value)
end
local function insert(id, a, k, kn, x, h, p, c, m, o)
  redis.call('HSET', P .. 'r:' .. id, 's', id, 'a', a, 'k', k, 'kn', kn, 'x', x, 'h', h, 'p', p, 'c', c, 'm', m, 'o', o)
  if kn ~= '' then redis.call('SET', P .. 'k:' .. kn, id) end
  if a ~= '' then redis.call('SET', P .. 'a:' .. a, id) end
  if x ~= '' then redis.call('SADD', P .. 'x:' .. x, id) end
  redis.call('INCR', P .. 'n')
end
-- Applies ARGV[from..] (name, value pairs) to record id; returns {1, record}, {0, clashing record} or {-1}.
local function apply(id, from)
  local current = record(id)
  if not current then return {-1} end
  local changes = {}
  for i = from, #ARGV, 2 do changes[ARGV[i]] = ARGV[i + 1] end
  if changes.kn ~= nil and changes.kn ~= '' then
    local other = holder('k', changes.kn)
    if other and other ~= id then return {0, record(other)} end
  end
  if changes.a ~= nil and changes.a ~= '' then
    local other = holder('a', changes.a)
    if other and other ~= id then return {0, record(other)} end
  end
  local oldKn, oldA, oldX = field(current, 'kn'), field(current, 'a'), field(current, 'x')
  if changes.kn ~= nil and changes.kn ~= oldKn then
    if oldKn ~= '' and holder('k', oldKn) == id then redis.call('DEL', P .. 'k:' .. oldKn) end
    if changes.kn ~= '' then redis.call('SET', P .. 'k:' .. changes.kn, id) end
  end
  if changes.a ~= nil and changes.a ~= oldA then
    if oldA ~= '' and holder('a', oldA) == id then redis.call('DEL', P .. 'a:' .. oldA) end
    if changes.a ~= '' then redis.call('SET', P .. 'a:' .. changes.a, id) end
  end
  if changes.x ~= nil and changes.x ~= oldX then
    if oldX ~= '' then redis.call('SREM', P .. 'x:' .. oldX, id) end
    if changes.x ~= '' then redis.call('SADD', P .. 'x:' .. changes.x, id) end
  end
  local pairs_ = {}
  for i = from, #ARGV do pairs_[#pairs_ + 1] = ARGV[i] end
  if #pairs_ > 0 then redis.call('HSET', P .. 'r:' .. id, unpack(pairs_)) end
  return {1, record(id)}
end
`;

export const SCRIPTS = {
  /** ARGV: P, scimId → record or nil */
  idmapGet: `${COMMON}
return record(ARGV[2])`,

  /** ARGV: P, kind letter (k|a), value... → one record or false per value */
  idmapGetBy: `${COMMON}
local out = {}
for i = 3, #ARGV do
  local found = record(holder(ARGV[2], ARGV[i]))
  out[#out + 1] = found or false
end
return out`,

  /** ARGV: P, externalId → records */
  idmapByExternalId: `${COMMON}
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', P .. 'x:' .. ARGV[2])) do
  local found = record(id)
  if found then out[#out + 1] = found end
end
return out`,

  /** ARGV: P, s, a, k, kn, x, h, p, c, m, o → {1} or {0, holder} */
  idmapReserve: `${COMMON}
local id, a, kn = ARGV[2], ARGV[3], ARGV[5]
local other = holder('k', kn) or holder('a', a)
if other then return {0, record(other)} end
if redis.call('EXISTS', P .. 'r:' .. id) == 1 then return {0, record(id)} end
insert(id, a, ARGV[4], kn, ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11])
return {1}`,

  /** ARGV: P, scimId, name, value, … → {1, record} | {0, clashing record} | {-1} */
  idmapUpdate: `${COMMON}
return apply(ARGV[2], 3)`,

  /** ARGV: P, scimId, expected shadow, expected hash, name, value, … → {1, record} | {0} | {-1} */
  idmapUpdateIf: `${COMMON}
local current = record(ARGV[2])
if not current then return {-1} end
if field(current, 'h') ~= ARGV[3] or field(current, 'p') ~= ARGV[4] then return {0} end
return apply(ARGV[2], 5)`,

  /** ARGV: P, then per candidate 6 values: s, a, k, kn, x, c → one record per candidate */
  idmapAdopt: `${COMMON}
local out = {}
for i = 2, #ARGV, 6 do
  local s, a, k, kn, x, c = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  local mapped = record(holder('a', a))
  if mapped then
    out[#out + 1] = mapped
  else
    local keyHolder = holder('k', kn)
    local held = keyHolder and record(keyHolder)
    if held and field(held, 'a') == '' then
      redis.call('HSET', P .. 'r:' .. keyHolder, 'a', a)
      redis.call('SET', P .. 'a:' .. a, keyHolder)
      out[#out + 1] = record(keyHolder)
    else
      if held then k, kn = '', '' end
      insert(s, a, k, kn, x, '', '', c, c, '1')
      out[#out + 1] = record(s)
    end
  end
end
return out`,

  /** ARGV: P, scimId → 1 | 0 */
  idmapDelete: `${COMMON}
local id = ARGV[2]
local current = record(id)
if not current then return 0 end
local kn, a, x = field(current, 'kn'), field(current, 'a'), field(current, 'x')
if kn ~= '' and holder('k', kn) == id then redis.call('DEL', P .. 'k:' .. kn) end
if a ~= '' and holder('a', a) == id then redis.call('DEL', P .. 'a:' .. a) end
if x ~= '' then redis.call('SREM', P .. 'x:' .. x, id) end
redis.call('DEL', P .. 'r:' .. id)
redis.call('DECR', P .. 'n')
return 1`,

  /** KEYS: lock; ARGV: token, ttl ms → 1 when released/extended by its owner, else 0 */
  lockRelease: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
  lockExtend: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
