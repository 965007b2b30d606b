import type { Redis as UpstashRedis } from "@upstash/redis";
import type {
  AutoBlock,
  BackoffBudget,
  Budget,
  BudgetCheck,
  BudgetDecision,
  BudgetGate,
  BudgetRequest,
  BudgetStore,
  ConversionBudget,
  SettleRequest,
  WindowBudget,
} from "./types";

/**
 * The budget store: an atomic check-all-then-consume decision over several budgets, behind its
 * gates (see `BudgetRequest` and `BudgetStore` in ./types.ts for what and why). Two
 * implementations of one contract, tested together in tests/integration/store-contract.test.ts: a
 * Lua script on Redis (TCP or Upstash REST: one EVALSHA, one round trip) and a synchronous one in
 * process memory.
 *
 * A window is two counters, the current and the previous window, whose names follow from the
 * time (the sliding-window estimate of @upstash/ratelimit's `slidingWindow`); so a reset deletes
 * exactly two keys and never scans (`resetUsedTokens` of @upstash/ratelimit runs a keyspace SCAN
 * inside Lua, blocking Redis on a large keyspace). A conversion budget is four such windows —
 * sends and verified sends, over its window and over its baseline — plus its block and its strikes.
 */

type Span = { key: string; seconds: number };

function spanStart(span: Span, now: number): number {
  const size = span.seconds * 1000;
  return Math.floor(now / size) * size;
}

/** The keys of a window's current and previous counter. */
function spanKeys(span: Span, now: number): [string, string] {
  const index = Math.floor(now / (span.seconds * 1000));
  return [`${span.key}:${index}`, `${span.key}:${index - 1}`];
}

/** The four windows of a conversion budget, and its two other keys. */
function conversionParts(budget: ConversionBudget) {
  const window = (suffix: string, seconds: number): Span => ({ key: `${budget.key}:${suffix}`, seconds });
  return {
    sends: window("s", budget.windowSeconds),
    verified: window("v", budget.windowSeconds),
    baselineSends: window("bs", budget.baselineSeconds),
    baselineVerified: window("bv", budget.baselineSeconds),
    blockKey: `${budget.key}:block`,
    strikesKey: `${budget.key}:strikes`,
  };
}

/** Where the blocks of every conversion budget are listed (a hash; owned here). */
const BLOCKS_KEY = "budgets:blocks";
/** Blocks listed at most: a flood of blocked levels still blocks, it only goes unlisted. */
const LISTED_BLOCKS_CAPACITY = 10_000;

/** Milliseconds a growing delay makes the next hit wait after `count` hits. */
export function backoffDelayMs(budget: BackoffBudget, count: number): number {
  if (count < budget.freeCount) return 0;
  return Math.min(budget.maxSeconds, budget.baseSeconds * 2 ** (count - budget.freeCount)) * 1000;
}

/** The unverified sends a conversion budget allows for `verified` sends, given its baseline. */
export function allowedUnverified(
  budget: ConversionBudget,
  verified: number,
  baseline: { sends: number; verified: number },
): { allowed: number; conversion: number } {
  const measured =
    baseline.sends >= budget.baselineMinSends && baseline.sends > 0
      ? baseline.verified / baseline.sends
      : null;
  const conversion = Math.max(0.05, Math.min(1, measured ?? budget.defaultConversion));
  const ratio = Math.min(budget.maxRatio, (budget.slack * (1 - conversion)) / conversion);
  // Whole sends, rounded down (a hair of slack for 0.49999… × 8).
  return { allowed: Math.max(budget.floor, Math.floor(ratio * verified + 1e-6)), conversion };
}

const roleCode = { core: "c", reservable: "r", reserve: "s", observe: "o" } as const;
const gates: BudgetGate[] = ["precondition_other", "precondition_absent", "present", "claimed"];
const SLOTS = 16;

/**
 * KEYS, in order: the precondition's key (when given), the `absent` keys, the claim's key (when
 * given), per check its keys, then the `onAllowed` keys, then the list of blocks.
 * - window: current and previous counter;
 * - backoff: one hash with fields c = count, t = last hit;
 * - conversion: sends, verified, baseline sends and baseline verified (current and previous
 *   each), then its block and its strikes.
 * ARGV: now, precondition mode ("" none, "=" equals, "0" must be absent), its value, whether a
 * failed precondition charges the core checks (0|1), the number of `absent` keys, the claim's TTL
 * in ms ("" none), the number of checks, then 16 per check: kind (w|b|v), role (c|r|s|o),
 * chargeOnRefusal (0|1), then
 * - window: limit, windowMs, cost, start;
 * - backoff: baseMs, maxMs, freeCount, memoryMs;
 * - conversion: floor, windowMs, start, baselineMs, baselineStart, defaultConversion, slack,
 *   maxRatio, baselineMinSends, block steps in ms ("a,b,c"; "" for no block), strikeMemoryMs,
 *   minVolume, label.
 * Then per `onAllowed` write its value and TTL in ms.
 * Returns {status, a, b, n, 8 × n block fields, observed full check…}: status 1 = allowed (a =
 * usedReserve, b = nextAllowedAt), 0 = refused by check a (1-based) until b, 2 = refused by gate a
 * (1-based in `gates`). Block fields: check, strike, blockMs, sends, verified, allowed, conversion
 * (per mille), since.
 */
const DECIDE_SCRIPT = `
local now = tonumber(ARGV[1])
local absentCount = tonumber(ARGV[5])
local n = tonumber(ARGV[7])
local k = 1
local failedGate = nil
if ARGV[2] ~= "" then
  local held = redis.call("GET", KEYS[1])
  if ARGV[2] == "0" then
    if held then failedGate = 1 end
  elseif not held then failedGate = 2
  elseif held ~= ARGV[3] then failedGate = 1 end
  k = 2
end
if failedGate == nil then
  for i = 0, absentCount - 1 do
    if redis.call("EXISTS", KEYS[k + i]) == 1 then failedGate = 3 break end
  end
end
k = k + absentCount
if ARGV[6] ~= "" then
  if failedGate == nil and not redis.call("SET", KEYS[k], "1", "NX", "PX", ARGV[6]) then failedGate = 4 end
  k = k + 1
end
if failedGate ~= nil and ARGV[4] ~= "1" then return {2, failedGate} end
local function arg(i, j) return ARGV[7 + (i - 1) * ${SLOTS} + j] end
local function num(i, j) return tonumber(arg(i, j)) end
local function estimate(key, previousKey, start, size)
  local current = tonumber(redis.call("GET", key) or "0")
  local previous = tonumber(redis.call("GET", previousKey) or "0")
  return math.floor(previous * (1 - (now - start) / size)) + current
end
local function delay(i, count)
  local free = num(i, 6)
  if count < free then return 0 end
  return math.min(num(i, 5), num(i, 4) * 2 ^ (count - free))
end
local room, at, keyAt, count, seen = {}, {}, {}, {}, {}
for i = 1, n do
  keyAt[i] = k
  local kind = arg(i, 1)
  if kind == "w" then
    room[i] = estimate(KEYS[k], KEYS[k + 1], num(i, 7), num(i, 5)) + num(i, 6) <= num(i, 4)
    at[i] = num(i, 7) + num(i, 5)
    k = k + 2
  elseif kind == "b" then
    local state = redis.call("HMGET", KEYS[k], "c", "t")
    count[i] = tonumber(state[1] or "0")
    at[i] = tonumber(state[2] or "0") + delay(i, count[i])
    room[i] = now >= at[i]
    k = k + 1
  else
    local blockTtl = redis.call("PTTL", KEYS[k + 8])
    local sends = estimate(KEYS[k], KEYS[k + 1], num(i, 6), num(i, 5))
    local verified = estimate(KEYS[k + 2], KEYS[k + 3], num(i, 6), num(i, 5))
    local baseSends = estimate(KEYS[k + 4], KEYS[k + 5], num(i, 8), num(i, 7))
    local baseVerified = estimate(KEYS[k + 6], KEYS[k + 7], num(i, 8), num(i, 7))
    local conversion = num(i, 9)
    if baseSends >= num(i, 12) and baseSends > 0 then conversion = baseVerified / baseSends end
    conversion = math.max(0.05, math.min(1, conversion))
    local ratio = math.min(num(i, 11), num(i, 10) * (1 - conversion) / conversion)
    local allowed = math.max(num(i, 4), math.floor(ratio * verified + 0.000001))
    local unverified = math.max(0, sends - verified)
    seen[i] = {sends, verified, allowed, conversion, unverified, blockTtl > 0}
    if blockTtl > 0 then
      room[i] = false
      at[i] = now + blockTtl
    else
      room[i] = unverified + 1 <= allowed
      at[i] = num(i, 6) + num(i, 5)
    end
    k = k + 10
  end
end
local blocksKey = KEYS[#KEYS]
local blocks = {}
-- A level is blocked only by a request that nothing else refused: its own address limits or the
-- circuit breakers refusing it must not let it re-block a level (a griefer's cheap lever).
local coreRoom = failedGate == nil
for i = 1, n do
  if arg(i, 2) == "c" and arg(i, 1) ~= "v" and not room[i] then coreRoom = false end
end
for i = 1, n do
  local s = seen[i]
  if coreRoom and s and not room[i] and not s[6] and arg(i, 13) ~= "" and arg(i, 2) ~= "o" and s[5] >= num(i, 15) then
    local base = keyAt[i]
    local strike = redis.call("INCR", KEYS[base + 9])
    local steps = {}
    for step in string.gmatch(arg(i, 13), "[^,]+") do steps[#steps + 1] = tonumber(step) end
    local blockMs = steps[math.min(strike, #steps)]
    -- Remembered from the block's end: a level blocked again as its longest block ends escalates.
    redis.call("PEXPIRE", KEYS[base + 9], blockMs + num(i, 14))
    local evidence = cjson.encode({label = arg(i, 16), sends = s[1], verified = s[2], allowedUnverified = s[3],
      baselineConversion = math.floor(s[4] * 1000) / 1000, windowSeconds = num(i, 5) / 1000, strike = strike, blockedSeconds = blockMs / 1000,
      since = now, ["until"] = now + blockMs})
    redis.call("SET", KEYS[base + 8], evidence, "PX", blockMs)
    if redis.call("HLEN", blocksKey) < ${LISTED_BLOCKS_CAPACITY} or redis.call("HEXISTS", blocksKey, KEYS[base + 8]) == 1 then
      redis.call("HSET", blocksKey, KEYS[base + 8], evidence)
    end
    at[i] = now + blockMs
    for _, field in ipairs({i, strike, blockMs, s[1], s[2], math.floor(s[3]), math.floor(s[4] * 1000), now}) do
      blocks[#blocks + 1] = field
    end
  end
end
local nextAt = now
local function charge(i)
  local key = KEYS[keyAt[i]]
  local kind = arg(i, 1)
  if kind == "w" then
    redis.call("INCRBY", key, num(i, 6))
    redis.call("PEXPIRE", key, num(i, 5) * 2 + 1000)
  elseif kind == "b" then
    redis.call("HSET", key, "c", count[i] + 1, "t", now)
    redis.call("PEXPIRE", key, num(i, 7))
    nextAt = math.max(nextAt, now + delay(i, count[i] + 1))
  else
    redis.call("INCR", key)
    redis.call("PEXPIRE", key, num(i, 5) * 2 + 1000)
    redis.call("INCR", KEYS[keyAt[i] + 4])
    redis.call("PEXPIRE", KEYS[keyAt[i] + 4], num(i, 7) * 2 + 1000)
  end
end
local function reply(status, a, b, observed)
  local out = {status, a, b, #blocks / 8}
  for _, field in ipairs(blocks) do out[#out + 1] = field end
  for _, i in ipairs(observed) do out[#out + 1] = i end
  return out
end
if failedGate ~= nil then
  if failedGate == 1 then
    for i = 1, n do
      if arg(i, 2) == "c" and not room[i] then return reply(0, i, at[i], {}) end
    end
  end
  for i = 1, n do
    if arg(i, 2) == "c" and room[i] then charge(i) end
  end
  return {2, failedGate}
end
local coreOk, reservableOk, reserve, refused, observed = true, true, nil, nil, {}
for i = 1, n do
  local role = arg(i, 2)
  if role == "s" then
    reserve = i
  elseif role == "o" then
    if not room[i] then observed[#observed + 1] = i end
  elseif not room[i] then
    if role == "c" then
      -- A circuit breaker or the sender's own budget is what refused, whatever else was full.
      if coreOk then refused = i end
      coreOk = false
    else
      reservableOk = false
      refused = refused or i
    end
  end
end
local useReserve = coreOk and not reservableOk and reserve ~= nil and room[reserve]
local allowed = coreOk and (reservableOk or useReserve)
for i = 1, n do
  local role, take = arg(i, 2), false
  if allowed then
    take = role == "c" or (role == "r" and not useReserve) or (role == "s" and useReserve) or (role == "o" and room[i])
  else
    take = arg(i, 3) == "1"
  end
  if take then charge(i) end
end
if not allowed then return reply(0, refused, at[refused], {}) end
local w = 7 + n * ${SLOTS}
while ARGV[w + 1] do
  redis.call("SET", KEYS[k], ARGV[w + 1], "PX", ARGV[w + 2])
  k, w = k + 1, w + 2
end
return reply(1, useReserve and 1 or 0, nextAt, observed)
`;

function checkInput(check: BudgetCheck, keyPrefix: string, now: number) {
  const head = [check.kind === "window" ? "w" : check.kind === "backoff" ? "b" : "v", roleCode[check.role]];
  head.push(check.chargeOnRefusal ? "1" : "0");
  let keys: string[];
  let params: (string | number)[];
  if (check.kind === "window") {
    const span = { key: check.key, seconds: check.windowSeconds };
    keys = spanKeys(span, now);
    params = [check.limit, check.windowSeconds * 1000, check.cost ?? 1, spanStart(span, now)];
  } else if (check.kind === "backoff") {
    keys = [check.key];
    params = [check.baseSeconds * 1000, check.maxSeconds * 1000, check.freeCount, check.memorySeconds * 1000];
  } else {
    const parts = conversionParts(check);
    keys = budgetKeys(check, now);
    const { block } = check;
    params = [
      check.floor,
      check.windowSeconds * 1000,
      spanStart(parts.sends, now),
      check.baselineSeconds * 1000,
      spanStart(parts.baselineSends, now),
      check.defaultConversion,
      check.slack,
      check.maxRatio,
      check.baselineMinSends,
      block ? block.stepsSeconds.map((seconds) => seconds * 1000).join(",") : "",
      (block?.strikeMemorySeconds ?? 0) * 1000,
      block?.minVolume ?? 0,
      block?.label ?? "",
    ];
  }
  const args = [...head, ...params.map(String)];
  while (args.length < SLOTS) args.push("");
  return { keys: keys.map((key) => keyPrefix + key), args };
}

function scriptInput(request: BudgetRequest, keyPrefix: string, now: number) {
  const { precondition, absent = [], claim, onAllowed = [] } = request;
  const keys: string[] = [];
  const args: string[] = [
    String(now),
    precondition ? (precondition.equals === null ? "0" : "=") : "",
    precondition ? JSON.stringify(precondition.equals) : "",
    precondition?.chargeOwn ? "1" : "0",
    String(absent.length),
    claim ? String(Math.ceil(claim.ttlSeconds * 1000)) : "",
    String(request.checks.length),
  ];
  if (precondition) keys.push(keyPrefix + precondition.key);
  keys.push(...absent.map((key) => keyPrefix + key));
  if (claim) keys.push(keyPrefix + claim.key);
  for (const check of request.checks) {
    const input = checkInput(check, keyPrefix, now);
    keys.push(...input.keys);
    args.push(...input.args);
  }
  for (const write of onAllowed) {
    keys.push(keyPrefix + write.key);
    args.push(JSON.stringify(write.value), String(Math.ceil(write.ttlSeconds * 1000)));
  }
  keys.push(keyPrefix + BLOCKS_KEY);
  return { keys, args };
}

function toDecision(request: BudgetRequest, reply: number[]): BudgetDecision {
  const [status, first, second, blockCount, ...rest] = reply.map(Number) as number[];
  if (status === 2) return { allowed: false, gate: gates[first! - 1]! };
  const blocked: { index: number; block: AutoBlock }[] = [];
  for (let offset = 0; offset < blockCount! * 8; offset += 8) {
    const [check, strike, blockMs, sends, verified, allowed, permille, since] = rest.slice(
      offset,
      offset + 8,
    ) as number[];
    const budget = request.checks[check! - 1] as ConversionBudget;
    blocked.push({
      index: check! - 1,
      block: {
        label: budget.block!.label,
        sends: sends!,
        verified: verified!,
        allowedUnverified: allowed!,
        baselineConversion: permille! / 1000,
        windowSeconds: budget.windowSeconds,
        strike: strike!,
        blockedSeconds: blockMs! / 1000,
        since: since!,
        until: since! + blockMs!,
      },
    });
  }
  const observed = rest.slice(blockCount! * 8).map((index) => index - 1);
  if (status === 1) {
    return {
      allowed: true,
      usedReserve: first === 1,
      nextAllowedAt: second!,
      observedFull: observed,
      blocked,
    };
  }
  return { allowed: false, refusedBy: first! - 1, retryAt: second!, blocked };
}

/** Every key of a budget, in the order the decision script reads a conversion budget's. */
function budgetKeys(budget: Budget, now: number): string[] {
  if (budget.kind === "window") return spanKeys({ key: budget.key, seconds: budget.windowSeconds }, now);
  if (budget.kind === "backoff") return [budget.key];
  const parts = conversionParts(budget);
  return [
    ...spanKeys(parts.sends, now),
    ...spanKeys(parts.verified, now),
    ...spanKeys(parts.baselineSends, now),
    ...spanKeys(parts.baselineVerified, now),
    parts.blockKey,
    parts.strikesKey,
  ];
}

/**
 * KEYS: the ownership key, the keys to forget, those to reset, the growing delays to restart,
 * then per credited conversion budget its current verified and baseline-verified counters.
 * ARGV: the ownership value, the counts of each group, each delay's free count, then per credit
 * the two counters' TTLs in ms.
 */
const SETTLE_SCRIPT = `
local forget, reset, restart, credit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local owned = redis.call("GET", KEYS[1]) == ARGV[1]
for i = 2, 1 + forget do redis.call("DEL", KEYS[i]) end
if not owned then return 0 end
redis.call("DEL", KEYS[1])
for i = 2 + forget, 1 + forget + reset do redis.call("DEL", KEYS[i]) end
for j = 1, restart do
  local key = KEYS[1 + forget + reset + j]
  local free = tonumber(ARGV[5 + j])
  if tonumber(redis.call("HGET", key, "c") or "0") > free then redis.call("HSET", key, "c", free) end
end
local base = 1 + forget + reset + restart
for j = 1, credit * 2 do
  redis.call("INCR", KEYS[base + j])
  redis.call("PEXPIRE", KEYS[base + j], ARGV[5 + restart + j])
end
return 1
`;

const USAGE_SCRIPT = `
local now = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS / 2 do
  local current = tonumber(redis.call("GET", KEYS[2 * i - 1]) or "0")
  local previous = tonumber(redis.call("GET", KEYS[2 * i]) or "0")
  local start, size = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  out[i] = math.floor(previous * (1 - (now - start) / size)) + current
end
return out
`;

/** The windows `usage` reads for each budget: one for a window, sends and verified for a conversion budget. */
function usageSpans(budget: WindowBudget | ConversionBudget): Span[] {
  if (budget.kind === "window") return [{ key: budget.key, seconds: budget.windowSeconds }];
  const parts = conversionParts(budget);
  return [parts.sends, parts.verified];
}

function toUsage(budgets: (WindowBudget | ConversionBudget)[], values: number[]) {
  let offset = 0;
  return budgets.map((budget) => {
    if (budget.kind === "window") return { used: values[offset++]! };
    const result = { used: values[offset]!, verified: values[offset + 1]! };
    offset += 2;
    return result;
  });
}

const creditTtls = (budget: ConversionBudget) => [
  budget.windowSeconds * 2000 + 1000,
  budget.baselineSeconds * 2000 + 1000,
];

export function createRedisBudgetStore(
  redis: UpstashRedis,
  keyPrefix: string,
  guard: <T>(operation: string, promise: Promise<T>) => Promise<T>,
  now: () => number = Date.now,
): BudgetStore {
  const decideScript = redis.createScript<number[]>(DECIDE_SCRIPT);
  const settleScript = redis.createScript<number>(SETTLE_SCRIPT);
  const usageScript = redis.createScript<number[]>(USAGE_SCRIPT);
  const backdateScript = redis.createScript<number>(
    `if redis.call("EXISTS", KEYS[1]) == 1 then return redis.call("HINCRBY", KEYS[1], "t", ARGV[1]) end return 0`,
  );
  const prefixed = (keys: string[]) => keys.map((key) => keyPrefix + key);
  const parseBlock = (value: unknown): AutoBlock | null => {
    const block = (typeof value === "string" ? JSON.parse(value) : value) as AutoBlock | null;
    return block && typeof block.until === "number" ? block : null;
  };
  return {
    async decide(request) {
      const { keys, args } = scriptInput(request, keyPrefix, now());
      return toDecision(request, await guard("budget decision", decideScript.exec(keys, args)));
    },
    async settle({ ownership, forget = [], reset = [], restart = [], credit = [] }) {
      const time = now();
      const resetKeys = reset.flatMap((budget) => budgetKeys(budget, time));
      const creditKeys = credit.flatMap((budget) => {
        const parts = conversionParts(budget);
        return [spanKeys(parts.verified, time)[0], spanKeys(parts.baselineVerified, time)[0]];
      });
      const keys = prefixed([
        ownership.key,
        ...forget,
        ...resetKeys,
        ...restart.map((budget) => budget.key),
        ...creditKeys,
      ]);
      const args = [
        JSON.stringify(ownership.equals),
        String(forget.length),
        String(resetKeys.length),
        String(restart.length),
        String(credit.length),
        ...restart.map((budget) => String(budget.freeCount)),
        ...credit.flatMap(creditTtls).map(String),
      ];
      return (await guard("budget settle", settleScript.exec(keys, args))) === 1;
    },
    async reset(budgets) {
      const time = now();
      const keys = prefixed(budgets.flatMap((budget) => budgetKeys(budget, time)));
      if (keys.length > 0) await guard("budget reset", redis.del(...keys));
    },
    async backdate(budget, seconds) {
      // Only a delay that exists: HINCRBY would create one without a TTL.
      await guard(
        "budget backdate",
        backdateScript.exec([keyPrefix + budget.key], [String(-seconds * 1000)]),
      );
    },
    async usage(budgets) {
      const time = now();
      const spans = budgets.flatMap(usageSpans);
      if (spans.length === 0) return [];
      const keys = prefixed(spans.flatMap((span) => spanKeys(span, time)));
      const args = [
        String(time),
        ...spans.flatMap((span) => [String(spanStart(span, time)), String(span.seconds * 1000)]),
      ];
      return toUsage(budgets, (await guard("budget usage", usageScript.exec(keys, args))).map(Number));
    },
    async listBlocks(limit) {
      const entries = await guard(
        "list blocks",
        redis.hgetall<Record<string, unknown>>(keyPrefix + BLOCKS_KEY),
      );
      const time = now();
      const blocks: AutoBlock[] = [];
      const ended: string[] = [];
      for (const [field, value] of Object.entries(entries ?? {})) {
        const block = parseBlock(value);
        if (block && block.until > time) blocks.push(block);
        else ended.push(field);
      }
      // Bounded housekeeping: blocks end by their TTL; their listing goes when next read.
      if (ended.length > 0)
        await guard("prune blocks", redis.hdel(keyPrefix + BLOCKS_KEY, ...ended.slice(0, 1000)));
      return blocks.sort((a, b) => b.until - a.until).slice(0, limit);
    },
    async setBlock(budget, extendSeconds) {
      const { blockKey } = conversionParts(budget);
      const held = parseBlock(await guard("read block", redis.get(keyPrefix + blockKey)));
      if (!held) return false;
      if (extendSeconds <= 0) {
        await guard(
          "lift block",
          redis
            .pipeline()
            .del(keyPrefix + blockKey)
            .hdel(keyPrefix + BLOCKS_KEY, keyPrefix + blockKey)
            .exec(),
        );
        return true;
      }
      const until = now() + extendSeconds * 1000;
      const evidence = JSON.stringify({ ...held, until, blockedSeconds: (until - held.since) / 1000 });
      await guard(
        "extend block",
        redis
          .pipeline()
          .set(keyPrefix + blockKey, evidence, { px: extendSeconds * 1000 })
          .hset(keyPrefix + BLOCKS_KEY, { [keyPrefix + blockKey]: evidence })
          .exec(),
      );
      return true;
    },
  };
}

type Counter = { value: number; expiresAt: number };
type Backoff = { count: number; last: number; expiresAt: number };

/**
 * The same decision in process memory, synchronous inside (so atomic within the process). `kv`
 * is the key-value store the gates read and the writes go to, synchronously.
 */
export function createMemoryBudgetStore(
  kv: {
    readNow(key: string): unknown;
    writeNow(key: string, value: unknown, ttlSeconds: number): void;
    deleteNow(key: string): void;
  },
  now: () => number = Date.now,
): BudgetStore {
  const counters = new Map<string, Counter>();
  const backoffs = new Map<string, Backoff>();
  const blocks = new Map<string, AutoBlock>();
  const strikes = new Map<string, Counter>();
  let decisions = 0;

  const live = <T extends { expiresAt: number }>(map: Map<string, T>, key: string, time: number) => {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= time) {
      map.delete(key);
      return undefined;
    }
    return entry;
  };
  const liveBlock = (key: string, time: number) => {
    const block = blocks.get(key);
    if (block && block.until <= time) {
      blocks.delete(key);
      return undefined;
    }
    return block;
  };

  const sweep = (time: number) => {
    for (const map of [counters, backoffs, strikes] as Map<string, { expiresAt: number }>[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= time) map.delete(key);
    }
    for (const [key, block] of blocks) if (block.until <= time) blocks.delete(key);
  };

  const estimate = (span: Span, time: number) => {
    const [currentKey, previousKey] = spanKeys(span, time);
    const current = live(counters, currentKey, time)?.value ?? 0;
    const previous = live(counters, previousKey, time)?.value ?? 0;
    return Math.floor(previous * (1 - (time - spanStart(span, time)) / (span.seconds * 1000))) + current;
  };
  const add = (span: Span, units: number, time: number) => {
    const [currentKey] = spanKeys(span, time);
    const counter = live(counters, currentKey, time);
    counters.set(currentKey, {
      value: (counter?.value ?? 0) + units,
      expiresAt: time + span.seconds * 2000 + 1000,
    });
  };

  const failedGate = ({ precondition, absent = [], claim }: BudgetRequest): BudgetGate | null => {
    if (precondition) {
      const held = kv.readNow(precondition.key);
      if (precondition.equals === null) {
        if (held !== null) return "precondition_other";
      } else if (held === null) return "precondition_absent";
      else if (JSON.stringify(held) !== JSON.stringify(precondition.equals)) return "precondition_other";
    }
    if (absent.some((key) => kv.readNow(key) !== null)) return "present";
    if (claim) {
      if (kv.readNow(claim.key) !== null) return "claimed";
      kv.writeNow(claim.key, 1, claim.ttlSeconds);
    }
    return null;
  };

  type State = {
    room: boolean;
    at: number;
    count: number;
    conversion?: { sends: number; verified: number; allowed: number; conversion: number; blocked: boolean };
  };

  return {
    async decide(request) {
      const { checks, onAllowed = [] } = request;
      const time = now();
      if (++decisions % 1000 === 0) sweep(time);
      const gate = failedGate(request);
      if (gate && !request.precondition?.chargeOwn) return { allowed: false, gate };

      const states: State[] = checks.map((check) => {
        if (check.kind === "window") {
          const span = { key: check.key, seconds: check.windowSeconds };
          const used = estimate(span, time);
          return {
            room: used + (check.cost ?? 1) <= check.limit,
            at: spanStart(span, time) + check.windowSeconds * 1000,
            count: 0,
          };
        }
        if (check.kind === "backoff") {
          const state = live(backoffs, check.key, time);
          const count = state?.count ?? 0;
          const at = (state?.last ?? 0) + backoffDelayMs(check, count);
          return { room: time >= at, at, count };
        }
        const parts = conversionParts(check);
        const sends = estimate(parts.sends, time);
        const verified = estimate(parts.verified, time);
        const baseline = {
          sends: estimate(parts.baselineSends, time),
          verified: estimate(parts.baselineVerified, time),
        };
        const { allowed, conversion } = allowedUnverified(check, verified, baseline);
        const block = liveBlock(parts.blockKey, time);
        const seen = { sends, verified, allowed, conversion, blocked: block !== undefined };
        if (block) return { room: false, at: block.until, count: 0, conversion: seen };
        const room = Math.max(0, sends - verified) + 1 <= allowed;
        return {
          room,
          at: spanStart(parts.sends, time) + check.windowSeconds * 1000,
          count: 0,
          conversion: seen,
        };
      });

      const blocked: { index: number; block: AutoBlock }[] = [];
      // A level is blocked only by a request nothing else refused (see the script).
      const coreRoom =
        !gate &&
        checks.every(
          (check, index) => check.role !== "core" || check.kind === "conversion" || states[index]!.room,
        );
      checks.forEach((check, index) => {
        const state = states[index]!;
        if (!coreRoom) return;
        const seen = state.conversion;
        if (check.kind !== "conversion" || !check.block || check.role === "observe" || !seen) return;
        if (state.room || seen.blocked || Math.max(0, seen.sends - seen.verified) < check.block.minVolume)
          return;
        const parts = conversionParts(check);
        const strike = (live(strikes, parts.strikesKey, time)?.value ?? 0) + 1;
        const steps = check.block.stepsSeconds;
        const blockedSeconds = steps[Math.min(strike, steps.length) - 1]!;
        // Remembered from the block's end (see the script).
        strikes.set(parts.strikesKey, {
          value: strike,
          expiresAt: time + (blockedSeconds + check.block.strikeMemorySeconds) * 1000,
        });
        const block: AutoBlock = {
          label: check.block.label,
          sends: seen.sends,
          verified: seen.verified,
          allowedUnverified: Math.floor(seen.allowed),
          baselineConversion: Math.floor(seen.conversion * 1000) / 1000,
          windowSeconds: check.windowSeconds,
          strike,
          blockedSeconds,
          since: time,
          until: time + blockedSeconds * 1000,
        };
        blocks.set(parts.blockKey, block);
        state.at = block.until;
        blocked.push({ index, block });
      });

      let nextAllowedAt = time;
      const charge = (check: BudgetCheck, index: number) => {
        if (check.kind === "window")
          add({ key: check.key, seconds: check.windowSeconds }, check.cost ?? 1, time);
        else if (check.kind === "backoff") {
          const count = states[index]!.count + 1;
          backoffs.set(check.key, { count, last: time, expiresAt: time + check.memorySeconds * 1000 });
          nextAllowedAt = Math.max(nextAllowedAt, time + backoffDelayMs(check, count));
        } else {
          const parts = conversionParts(check);
          add(parts.sends, 1, time);
          add(parts.baselineSends, 1, time);
        }
      };

      if (gate) {
        const full = checks.findIndex((check, index) => check.role === "core" && !states[index]!.room);
        if (gate === "precondition_other" && full !== -1) {
          return { allowed: false, refusedBy: full, retryAt: states[full]!.at, blocked };
        }
        checks.forEach(
          (check, index) => check.role === "core" && states[index]!.room && charge(check, index),
        );
        return { allowed: false, gate };
      }

      let coreOk = true;
      let reservableOk = true;
      let reserve = -1;
      let refused = -1;
      const observedFull: number[] = [];
      checks.forEach((check, index) => {
        if (check.role === "reserve") reserve = index;
        else if (check.role === "observe") {
          if (!states[index]!.room) observedFull.push(index);
        } else if (!states[index]!.room) {
          if (check.role === "core") {
            // A circuit breaker or the sender's own budget is what refused, whatever else was full.
            if (coreOk) refused = index;
            coreOk = false;
          } else {
            reservableOk = false;
            if (refused === -1) refused = index;
          }
        }
      });
      const useReserve = coreOk && !reservableOk && reserve !== -1 && states[reserve]!.room;
      const allowed = coreOk && (reservableOk || useReserve);

      checks.forEach((check: BudgetCheck, index) => {
        const take = allowed
          ? check.role === "core" ||
            (check.role === "reservable" && !useReserve) ||
            (check.role === "reserve" && useReserve) ||
            (check.role === "observe" && states[index]!.room)
          : check.chargeOnRefusal === true;
        if (take) charge(check, index);
      });
      if (!allowed) return { allowed: false, refusedBy: refused, retryAt: states[refused]!.at, blocked };
      for (const write of onAllowed) kv.writeNow(write.key, write.value, write.ttlSeconds);
      return { allowed: true, usedReserve: useReserve, observedFull, nextAllowedAt, blocked };
    },
    async settle({ ownership, forget = [], reset = [], restart = [], credit = [] }: SettleRequest) {
      const owned = JSON.stringify(kv.readNow(ownership.key)) === JSON.stringify(ownership.equals);
      for (const key of forget) kv.deleteNow(key);
      if (!owned) return false;
      kv.deleteNow(ownership.key);
      const time = now();
      forgetBudgets(reset, time);
      for (const budget of restart) {
        const state = backoffs.get(budget.key);
        if (state) state.count = Math.min(state.count, budget.freeCount);
      }
      for (const budget of credit) {
        const parts = conversionParts(budget);
        add(parts.verified, 1, time);
        add(parts.baselineVerified, 1, time);
      }
      return true;
    },
    async reset(budgets) {
      forgetBudgets(budgets, now());
    },
    async backdate(budget, seconds) {
      const state = backoffs.get(budget.key);
      if (state) state.last -= seconds * 1000;
    },
    async usage(budgets) {
      const time = now();
      return toUsage(
        budgets,
        budgets.flatMap(usageSpans).map((span) => estimate(span, time)),
      );
    },
    async listBlocks(limit) {
      const time = now();
      return [...blocks.keys()]
        .map((key) => liveBlock(key, time))
        .filter((block): block is AutoBlock => block !== undefined)
        .sort((a, b) => b.until - a.until)
        .slice(0, limit);
    },
    async setBlock(budget, extendSeconds) {
      const { blockKey } = conversionParts(budget);
      const time = now();
      const held = liveBlock(blockKey, time);
      if (!held) return false;
      if (extendSeconds <= 0) blocks.delete(blockKey);
      else {
        const until = time + extendSeconds * 1000;
        blocks.set(blockKey, { ...held, until, blockedSeconds: (until - held.since) / 1000 });
      }
      return true;
    },
  };

  function forgetBudgets(budgets: Budget[], time: number) {
    for (const budget of budgets) {
      for (const key of budgetKeys(budget, time)) {
        counters.delete(key);
        backoffs.delete(key);
        blocks.delete(key);
        strikes.delete(key);
      }
    }
  }
}
