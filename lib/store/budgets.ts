import type { Redis as UpstashRedis } from "@upstash/redis";
import type { Budget, BudgetCheck, BudgetDecision, BudgetRequest, BudgetStore } from "./types";

/**
 * The budget store: an atomic check-all-then-consume decision over several budgets (see
 * `BudgetStore` in ./types.ts for why it is ours). Two implementations of one contract, tested
 * together in tests/integration/store-contract.test.ts: a Lua script on Redis (TCP or Upstash
 * REST: one EVALSHA, one round trip) and a synchronous one in process memory.
 *
 * A window budget is two counters, the current and the previous window, whose names follow from
 * the time; so a reset deletes exactly two keys and never scans (`resetUsedTokens` of
 * @upstash/ratelimit runs a keyspace SCAN inside Lua, blocking Redis on a large keyspace).
 */

const windowMs = (budget: Budget & { kind: "window" }) => budget.windowSeconds * 1000;

function windowStart(budget: Budget & { kind: "window" }, now: number): number {
  return Math.floor(now / windowMs(budget)) * windowMs(budget);
}

/** The keys of a window budget's current and previous window. */
function windowKeys(budget: Budget & { kind: "window" }, now: number): [string, string] {
  const index = Math.floor(now / windowMs(budget));
  return [`${budget.key}:${index}`, `${budget.key}:${index - 1}`];
}

/** Milliseconds a growing delay makes the next hit wait after `count` hits. */
export function backoffDelayMs(budget: Budget & { kind: "backoff" }, count: number): number {
  if (count < budget.freeCount) return 0;
  return Math.min(budget.maxSeconds, budget.baseSeconds * 2 ** (count - budget.freeCount)) * 1000;
}

const roleCode = { core: "c", reservable: "r", reserve: "s", observe: "o" } as const;

/**
 * KEYS: the precondition's key (when given), then per check its keys (window: current and
 * previous; backoff: one hash with fields c = count, t = last hit).
 * ARGV: now, precondition value ("" for none), check count, then 8 per check:
 * kind (w|b), role (c|r|s|o), chargeOnRefusal (0|1), then window: limit, windowMs, -, -, start;
 * backoff: baseMs, maxMs, freeCount, memoryMs, -.
 * Then the value to write when allowed ("" for none) and its TTL in ms, with its key last in KEYS.
 * A failed precondition charges the core checks (the caller's own budgets) unless one is full.
 * Returns { allowed, usedReserve, allowed: an observed budget was full (0|1) / refused: the
 * refused check (1-based; 0 = precondition key holds another value, -1 = it is absent), time (ms) }.
 */
const DECIDE_SCRIPT = `
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[3])
local k = 1
local unowned = nil
if ARGV[2] ~= "" then
  local held = redis.call("GET", KEYS[1])
  if not held then unowned = -1 elseif held ~= ARGV[2] then unowned = 0 end
  k = 2
end
local function arg(i, j) return ARGV[3 + (i - 1) * 8 + j] end
local function delay(i, count)
  local free = tonumber(arg(i, 6))
  if count < free then return 0 end
  return math.min(tonumber(arg(i, 5)), tonumber(arg(i, 4)) * 2 ^ (count - free))
end
local room, at, keyAt, count = {}, {}, {}, {}
for i = 1, n do
  keyAt[i] = k
  if arg(i, 1) == "w" then
    local limit, size, start = tonumber(arg(i, 4)), tonumber(arg(i, 5)), tonumber(arg(i, 8))
    local current = tonumber(redis.call("GET", KEYS[k]) or "0")
    local previous = tonumber(redis.call("GET", KEYS[k + 1]) or "0")
    room[i] = math.floor(previous * (1 - (now - start) / size)) + current < limit
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
    redis.call("INCR", key)
    redis.call("PEXPIRE", key, tonumber(arg(i, 5)) * 2 + 1000)
  else
    redis.call("HSET", key, "c", count[i] + 1, "t", now)
    redis.call("PEXPIRE", key, tonumber(arg(i, 7)))
    nextAt = math.max(nextAt, now + delay(i, count[i] + 1))
  end
end
if unowned ~= nil then
  for i = 1, n do
    if arg(i, 2) == "c" and not room[i] then return {0, 0, i, at[i]} end
  end
  for i = 1, n do
    if arg(i, 2) == "c" then charge(i) end
  end
  return {0, 0, unowned, now}
end
local coreOk, reservableOk, reserve, refused, observedFull = true, true, nil, nil, 0
for i = 1, n do
  local role = arg(i, 2)
  if role == "s" then
    reserve = i
  elseif role == "o" then
    if not room[i] then observedFull = 1 end
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
local write = 3 + n * 8
if allowed and ARGV[write + 1] ~= "" then
  redis.call("SET", KEYS[k], ARGV[write + 1], "PX", ARGV[write + 2])
end
if allowed then return {1, useReserve and 1 or 0, observedFull, nextAt} end
return {0, 0, refused, at[refused]}
`;

function scriptInput(request: BudgetRequest, keyPrefix: string, now: number) {
  const keys: string[] = [];
  const args: string[] = [String(now), "", String(request.checks.length)];
  if (request.precondition) {
    keys.push(keyPrefix + request.precondition.key);
    args[1] = JSON.stringify(request.precondition.equals);
  }
  for (const check of request.checks) {
    const head = [
      check.kind === "window" ? "w" : "b",
      roleCode[check.role],
      check.chargeOnRefusal ? "1" : "0",
    ];
    if (check.kind === "window") {
      keys.push(...windowKeys(check, now).map((key) => keyPrefix + key));
      args.push(
        ...head,
        String(check.limit),
        String(windowMs(check)),
        "0",
        "0",
        String(windowStart(check, now)),
      );
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
  if (request.onAllowed) {
    keys.push(keyPrefix + request.onAllowed.key);
    args.push(
      JSON.stringify(request.onAllowed.value),
      String(Math.ceil(request.onAllowed.ttlSeconds * 1000)),
    );
  } else {
    args.push("", "0");
  }
  return { keys, args };
}

function toDecision(reply: number[]): BudgetDecision {
  const [allowed, usedReserve, refused, at] = reply.map(Number) as [number, number, number, number];
  return allowed === 1
    ? { allowed: true, usedReserve: usedReserve === 1, observedFull: refused === 1, nextAllowedAt: at }
    : { allowed: false, refusedBy: refused - 1, retryAt: at };
}

function budgetKeys(budget: Budget, now: number): string[] {
  return budget.kind === "window" ? windowKeys(budget, now) : [budget.key];
}

export function createRedisBudgetStore(
  redis: UpstashRedis,
  keyPrefix: string,
  guard: <T>(operation: string, promise: Promise<T>) => Promise<T>,
  now: () => number = Date.now,
): BudgetStore {
  const script = redis.createScript<number[]>(DECIDE_SCRIPT);
  const restartScript = redis.createScript<number>(
    `if tonumber(redis.call("HGET", KEYS[1], "c") or "0") > tonumber(ARGV[1]) then redis.call("HSET", KEYS[1], "c", ARGV[1]) end return 0`,
  );
  return {
    async decide(request) {
      const { keys, args } = scriptInput(request, keyPrefix, now());
      return toDecision(await guard("budget decision", script.exec(keys, args)));
    },
    async reset(budgets) {
      const time = now();
      const keys = budgets.flatMap((budget) => budgetKeys(budget, time)).map((key) => keyPrefix + key);
      if (keys.length > 0) await guard("budget reset", redis.del(...keys));
    },
    async backdate(budget, seconds) {
      await guard("budget backdate", redis.hincrby(keyPrefix + budget.key, "t", -seconds * 1000));
    },
    async restart(budget) {
      await guard("budget restart", restartScript.exec([keyPrefix + budget.key], [String(budget.freeCount)]));
    },
  };
}

type Counter = { value: number; expiresAt: number };
type Backoff = { count: number; last: number; expiresAt: number };

/**
 * The same decision in process memory, synchronous inside (so atomic within the process).
 * `kv` reads the precondition and writes `onAllowed` in the key-value store, synchronously.
 */
export function createMemoryBudgetStore(
  kv: {
    readNow(key: string): unknown;
    writeNow(key: string, value: unknown, ttlSeconds: number): void;
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

  return {
    async decide({ checks, precondition, onAllowed }) {
      const time = now();
      if (++decisions % 1000 === 0) sweep(time);
      let unowned: -1 | -2 | null = null;
      if (precondition) {
        const held = kv.readNow(precondition.key);
        if (held === null) unowned = -2;
        else if (JSON.stringify(held) !== JSON.stringify(precondition.equals)) unowned = -1;
      }
      const states = checks.map((check) => {
        if (check.kind === "window") {
          const [currentKey, previousKey] = windowKeys(check, time);
          const start = windowStart(check, time);
          const current = live(counters, currentKey, time)?.value ?? 0;
          const previous = live(counters, previousKey, time)?.value ?? 0;
          const used = Math.floor(previous * (1 - (time - start) / windowMs(check))) + current;
          return { room: used < check.limit, at: start + windowMs(check), count: 0 };
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
            value: (counter?.value ?? 0) + 1,
            expiresAt: time + windowMs(check) * 2 + 1000,
          });
        } else {
          const count = states[index]!.count + 1;
          backoffs.set(check.key, { count, last: time, expiresAt: time + check.memorySeconds * 1000 });
          nextAllowedAt = Math.max(nextAllowedAt, time + backoffDelayMs(check, count));
        }
      };

      if (unowned !== null) {
        const full = checks.findIndex((check, index) => check.role === "core" && !states[index]!.room);
        if (full !== -1) return { allowed: false, refusedBy: full, retryAt: states[full]!.at };
        checks.forEach((check, index) => check.role === "core" && charge(check, index));
        return { allowed: false, refusedBy: unowned, retryAt: time };
      }

      let coreOk = true;
      let reservableOk = true;
      let reserve = -1;
      let refused = -1;
      let observedFull = false;
      checks.forEach((check, index) => {
        if (check.role === "reserve") reserve = index;
        else if (check.role === "observe") observedFull ||= !states[index]!.room;
        else if (!states[index]!.room) {
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
      if (allowed && onAllowed) kv.writeNow(onAllowed.key, onAllowed.value, onAllowed.ttlSeconds);
      return allowed
        ? { allowed: true, usedReserve: useReserve, observedFull, nextAllowedAt }
        : { allowed: false, refusedBy: refused, retryAt: states[refused]!.at };
    },
    async reset(budgets) {
      const time = now();
      for (const budget of budgets) {
        for (const key of budgetKeys(budget, time)) {
          counters.delete(key);
          backoffs.delete(key);
        }
      }
    },
    async backdate(budget, seconds) {
      const state = backoffs.get(budget.key);
      if (state) state.last -= seconds * 1000;
    },
    async restart(budget) {
      const state = backoffs.get(budget.key);
      if (state) state.count = Math.min(state.count, budget.freeCount);
    },
  };
}
