import type { Redis as UpstashRedis } from "@upstash/redis";
import type {
  BackoffBudget,
  Budget,
  BudgetCheck,
  BudgetDecision,
  BudgetGate,
  BudgetRequest,
  BudgetStore,
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
 * A window budget is two counters, the current and the previous window, whose names follow from
 * the time; so a reset deletes exactly two keys and never scans (`resetUsedTokens` of
 * @upstash/ratelimit runs a keyspace SCAN inside Lua, blocking Redis on a large keyspace).
 */

const windowMs = (budget: WindowBudget) => budget.windowSeconds * 1000;

function windowStart(budget: WindowBudget, now: number): number {
  return Math.floor(now / windowMs(budget)) * windowMs(budget);
}

/** The keys of a window budget's current and previous window. */
function windowKeys(budget: WindowBudget, now: number): [string, string] {
  const index = Math.floor(now / windowMs(budget));
  return [`${budget.key}:${index}`, `${budget.key}:${index - 1}`];
}

/** Milliseconds a growing delay makes the next hit wait after `count` hits. */
export function backoffDelayMs(budget: BackoffBudget, count: number): number {
  if (count < budget.freeCount) return 0;
  return Math.min(budget.maxSeconds, budget.baseSeconds * 2 ** (count - budget.freeCount)) * 1000;
}

const roleCode = { core: "c", reservable: "r", reserve: "s", observe: "o" } as const;
const gates: BudgetGate[] = ["precondition_other", "precondition_absent", "present", "claimed"];

/**
 * KEYS, in order: the precondition's key (when given), the `absent` keys, the claim's key (when
 * given), per check its keys (window: current and previous; backoff: one hash with fields c =
 * count, t = last hit), then the `onAllowed` keys.
 * ARGV: now, precondition mode ("" none, "=" equals, "0" must be absent), its value, whether a
 * failed precondition charges the core checks (0|1), the number of `absent` keys, the claim's TTL
 * in ms ("" none), the number of checks, then 8 per check: kind (w|b), role (c|r|s|o),
 * chargeOnRefusal (0|1), then window: limit, windowMs, cost, -, start; backoff: baseMs, maxMs,
 * freeCount, memoryMs, -. Then per `onAllowed` write its value and TTL in ms.
 * Returns {1, usedReserve, nextAllowedAt, observed full check…} when allowed; {0, refused check,
 * retryAt} when a budget refuses (checks 1-based); {2, gate} when a gate does (1-based in `gates`).
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
local function arg(i, j) return ARGV[7 + (i - 1) * 8 + j] end
local function delay(i, count)
  local free = tonumber(arg(i, 6))
  if count < free then return 0 end
  return math.min(tonumber(arg(i, 5)), tonumber(arg(i, 4)) * 2 ^ (count - free))
end
local room, at, keyAt, count = {}, {}, {}, {}
for i = 1, n do
  keyAt[i] = k
  if arg(i, 1) == "w" then
    local limit, size, cost, start = tonumber(arg(i, 4)), tonumber(arg(i, 5)), tonumber(arg(i, 6)), tonumber(arg(i, 8))
    local current = tonumber(redis.call("GET", KEYS[k]) or "0")
    local previous = tonumber(redis.call("GET", KEYS[k + 1]) or "0")
    room[i] = math.floor(previous * (1 - (now - start) / size)) + current + cost <= limit
    at[i] = start + size
    k = k + 2
  else
    local state = redis.call("HMGET", KEYS[k], "c", "t")
    count[i] = tonumber(state[1] or "0")
    at[i] = tonumber(state[2] or "0") + delay(i, count[i])
    room[i] = now >= at[i]
    k = k + 1
  end
end
local nextAt = now
local function charge(i)
  local key = KEYS[keyAt[i]]
  if arg(i, 1) == "w" then
    redis.call("INCRBY", key, tonumber(arg(i, 6)))
    redis.call("PEXPIRE", key, tonumber(arg(i, 5)) * 2 + 1000)
  else
    redis.call("HSET", key, "c", count[i] + 1, "t", now)
    redis.call("PEXPIRE", key, tonumber(arg(i, 7)))
    nextAt = math.max(nextAt, now + delay(i, count[i] + 1))
  end
end
if failedGate ~= nil then
  if failedGate == 1 then
    for i = 1, n do
      if arg(i, 2) == "c" and not room[i] then return {0, i, at[i]} end
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
    if role == "c" then coreOk = false else reservableOk = false end
    refused = refused or i
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
if not allowed then return {0, refused, at[refused]} end
local w = 7 + n * 8
while ARGV[w + 1] do
  redis.call("SET", KEYS[k], ARGV[w + 1], "PX", ARGV[w + 2])
  k, w = k + 1, w + 2
end
local reply = {1, useReserve and 1 or 0, nextAt}
for _, i in ipairs(observed) do reply[#reply + 1] = i end
return reply
`;

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
    const head = [
      check.kind === "window" ? "w" : "b",
      roleCode[check.role],
      check.chargeOnRefusal ? "1" : "0",
    ];
    if (check.kind === "window") {
      keys.push(...windowKeys(check, now).map((key) => keyPrefix + key));
      const start = String(windowStart(check, now));
      args.push(...head, String(check.limit), String(windowMs(check)), String(check.cost ?? 1), "0", start);
    } else {
      keys.push(keyPrefix + check.key);
      args.push(
        ...head,
        String(check.baseSeconds * 1000),
        String(check.maxSeconds * 1000),
        String(check.freeCount),
        String(check.memorySeconds * 1000),
        "0",
      );
    }
  }
  for (const write of onAllowed) {
    keys.push(keyPrefix + write.key);
    args.push(JSON.stringify(write.value), String(Math.ceil(write.ttlSeconds * 1000)));
  }
  return { keys, args };
}

function toDecision(reply: number[]): BudgetDecision {
  const [status, first, second, ...observed] = reply.map(Number) as [number, number, number, ...number[]];
  if (status === 1) {
    return {
      allowed: true,
      usedReserve: first === 1,
      nextAllowedAt: second,
      observedFull: observed.map((index) => index - 1),
    };
  }
  if (status === 2) return { allowed: false, gate: gates[first - 1]! };
  return { allowed: false, refusedBy: first - 1, retryAt: second };
}

function budgetKeys(budget: Budget, now: number): string[] {
  return budget.kind === "window" ? windowKeys(budget, now) : [budget.key];
}

/**
 * KEYS: the ownership key, then the keys to forget, then those to reset, then the growing delays
 * to restart. ARGV: the ownership value, the counts of each group, then each delay's free count.
 */
const SETTLE_SCRIPT = `
local forget, reset, restart = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local owned = redis.call("GET", KEYS[1]) == ARGV[1]
for i = 2, 1 + forget do redis.call("DEL", KEYS[i]) end
if not owned then return 0 end
redis.call("DEL", KEYS[1])
for i = 2 + forget, 1 + forget + reset do redis.call("DEL", KEYS[i]) end
for j = 1, restart do
  local key = KEYS[1 + forget + reset + j]
  local free = tonumber(ARGV[4 + j])
  if tonumber(redis.call("HGET", key, "c") or "0") > free then redis.call("HSET", key, "c", free) end
end
return 1
`;

export function createRedisBudgetStore(
  redis: UpstashRedis,
  keyPrefix: string,
  guard: <T>(operation: string, promise: Promise<T>) => Promise<T>,
  now: () => number = Date.now,
): BudgetStore {
  const decideScript = redis.createScript<number[]>(DECIDE_SCRIPT);
  const settleScript = redis.createScript<number>(SETTLE_SCRIPT);
  const prefixed = (keys: string[]) => keys.map((key) => keyPrefix + key);
  return {
    async decide(request) {
      const { keys, args } = scriptInput(request, keyPrefix, now());
      return toDecision(await guard("budget decision", decideScript.exec(keys, args)));
    },
    async settle({ ownership, forget = [], reset = [], restart = [] }) {
      const time = now();
      const resetKeys = reset.flatMap((budget) => budgetKeys(budget, time));
      const keys = prefixed([ownership.key, ...forget, ...resetKeys, ...restart.map((budget) => budget.key)]);
      const args = [
        JSON.stringify(ownership.equals),
        String(forget.length),
        String(resetKeys.length),
        String(restart.length),
        ...restart.map((budget) => String(budget.freeCount)),
      ];
      return (await guard("budget settle", settleScript.exec(keys, args))) === 1;
    },
    async reset(budgets) {
      const time = now();
      const keys = prefixed(budgets.flatMap((budget) => budgetKeys(budget, time)));
      if (keys.length > 0) await guard("budget reset", redis.del(...keys));
    },
    async backdate(budget, seconds) {
      await guard("budget backdate", redis.hincrby(keyPrefix + budget.key, "t", -seconds * 1000));
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
  let decisions = 0;

  const live = <T extends { expiresAt: number }>(map: Map<string, T>, key: string, time: number) => {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= time) {
      map.delete(key);
      return undefined;
    }
    return entry;
  };

  const sweep = (time: number) => {
    for (const map of [counters, backoffs] as Map<string, { expiresAt: number }>[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= time) map.delete(key);
    }
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

  return {
    async decide(request) {
      const { checks, onAllowed = [] } = request;
      const time = now();
      if (++decisions % 1000 === 0) sweep(time);
      const gate = failedGate(request);
      if (gate && !request.precondition?.chargeOwn) return { allowed: false, gate };

      const states = checks.map((check) => {
        if (check.kind === "window") {
          const [currentKey, previousKey] = windowKeys(check, time);
          const start = windowStart(check, time);
          const current = live(counters, currentKey, time)?.value ?? 0;
          const previous = live(counters, previousKey, time)?.value ?? 0;
          const used = Math.floor(previous * (1 - (time - start) / windowMs(check))) + current;
          return { room: used + (check.cost ?? 1) <= check.limit, at: start + windowMs(check), count: 0 };
        }
        const state = live(backoffs, check.key, time);
        const count = state?.count ?? 0;
        const at = (state?.last ?? 0) + backoffDelayMs(check, count);
        return { room: time >= at, at, count };
      });

      let nextAllowedAt = time;
      const charge = (check: BudgetCheck, index: number) => {
        if (check.kind === "window") {
          const [currentKey] = windowKeys(check, time);
          const counter = live(counters, currentKey, time);
          counters.set(currentKey, {
            value: (counter?.value ?? 0) + (check.cost ?? 1),
            expiresAt: time + windowMs(check) * 2 + 1000,
          });
        } else {
          const count = states[index]!.count + 1;
          backoffs.set(check.key, { count, last: time, expiresAt: time + check.memorySeconds * 1000 });
          nextAllowedAt = Math.max(nextAllowedAt, time + backoffDelayMs(check, count));
        }
      };

      if (gate) {
        const full = checks.findIndex((check, index) => check.role === "core" && !states[index]!.room);
        if (gate === "precondition_other" && full !== -1) {
          return { allowed: false, refusedBy: full, retryAt: states[full]!.at };
        }
        checks.forEach((check, index) => check.role === "core" && states[index]!.room && charge(check, index));
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
          if (check.role === "core") coreOk = false;
          else reservableOk = false;
          if (refused === -1) refused = index;
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
      if (!allowed) return { allowed: false, refusedBy: refused, retryAt: states[refused]!.at };
      for (const write of onAllowed) kv.writeNow(write.key, write.value, write.ttlSeconds);
      return { allowed: true, usedReserve: useReserve, observedFull, nextAllowedAt };
    },
    async settle({ ownership, forget = [], reset = [], restart = [] }: SettleRequest) {
      const owned = JSON.stringify(kv.readNow(ownership.key)) === JSON.stringify(ownership.equals);
      for (const key of forget) kv.deleteNow(key);
      if (!owned) return false;
      kv.deleteNow(ownership.key);
      forgetBudgets(reset, now());
      for (const budget of restart) {
        const state = backoffs.get(budget.key);
        if (state) state.count = Math.min(state.count, budget.freeCount);
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
  };

  function forgetBudgets(budgets: Budget[], time: number) {
    for (const budget of budgets) {
      for (const key of budgetKeys(budget, time)) {
        counters.delete(key);
        backoffs.delete(key);
      }
    }
  }
}
