import type { Redis as UpstashRedis } from "@upstash/redis";

/**
 * The key-value operations the app's storage modules need. Values are JSON. Each operation is
 * atomic on its own, which is what makes "consume once" (take) and "create once" (setIfAbsent)
 * safe under concurrency, on one instance or many.
 */
export type KeyValueStore = {
  get<T>(key: string): Promise<T | null>;
  /** Stores `value`, replacing any; it disappears after `ttlSeconds` when given. */
  set<T>(key: string, value: T, ttlSeconds?: number): Promise<void>;
  /** Stores `value` only when `key` is absent; true when it did. */
  setIfAbsent<T>(key: string, value: T, ttlSeconds?: number): Promise<boolean>;
  /** Reads and deletes in one step: of many concurrent takers, only one gets the value. */
  take<T>(key: string): Promise<T | null>;
  delete(key: string): Promise<void>;
  /** Several keys in one round trip; null for each that is absent. */
  getMany<T>(keys: string[]): Promise<(T | null)[]>;
  /** Deletes `key` only while it holds `value`; true when it did. Of concurrent callers one wins. */
  deleteIfEquals(key: string, value: unknown): Promise<boolean>;
  /** Adds one to the number at `key` (0 when absent); the new value. */
  increment(key: string): Promise<number>;
  /**
   * Creates `key` with `initial` when absent; otherwise merges `update` into the object it holds.
   * One atomic step: of concurrent callers exactly one gets `created`.
   */
  createOrMerge<T extends object>(
    key: string,
    initial: T,
    update: Partial<T>,
  ): Promise<{ value: T; created: boolean }>;
  /**
   * A map of JSON values under `key`, with a version (the number at `${key}:version`, 0 before
   * the first update) that every update bumps, in one step with the update: a reader can cache the
   * map and ask whether its version is still current (a budget decision's precondition).
   */
  readVersionedMap<T>(key: string): Promise<{ version: number; entries: Record<string, T> }>;
  /** Sets and removes entries of the versioned map at `key`, atomically; its new version. */
  updateVersionedMap<T>(key: string, set: Record<string, T>, remove: string[]): Promise<number>;
  /** Prepends `value` to the list at `key`, keeping only the newest `cap` items. */
  pushCapped<T>(key: string, value: T, cap: number): Promise<void>;
  /** Items `offset` to `offset + count - 1` of the list, newest first. */
  readList<T>(key: string, offset: number, count: number): Promise<T[]>;
};

/**
 * One budget that a decision checks: a sliding window (at most `limit` units per `windowSeconds`,
 * each hit costing `cost` units, 1 unless given — a money budget counts in cents; the same
 * approximation as @upstash/ratelimit's `slidingWindow`) or a growing delay (after `freeCount`
 * hits, each further hit must wait `baseSeconds × 2^(count − freeCount)`, at most `maxSeconds`,
 * since the last; the count is forgotten `memorySeconds` after the last hit).
 */
export type WindowBudget = {
  kind: "window";
  key: string;
  limit: number;
  windowSeconds: number;
  cost?: number;
};
export type BackoffBudget = {
  kind: "backoff";
  key: string;
  baseSeconds: number;
  maxSeconds: number;
  freeCount: number;
  memorySeconds: number;
};
/**
 * A conversion budget: of the sends it counts in a trailing window, those not (yet) verified may
 * not exceed `max(floor, ratio × verified)`, where `ratio` follows from the level's own baseline
 * conversion over `baselineSeconds` (`slack × (1 − c) / c`, at most `maxRatio`; `defaultConversion`
 * until the baseline has `baselineMinSends`). Sends are counted when a decision charges it,
 * verified sends when a settlement credits it (`SettleRequest.credit`). With `block`, a refusal at
 * volume (`minVolume` unverified) blocks the level for the next of `stepsSeconds` (one more step
 * per block within `strikeMemorySeconds`), recorded under `label` in the budget store's list of
 * blocks; while blocked it refuses whatever the counts.
 */
export type ConversionBudget = {
  kind: "conversion";
  key: string;
  windowSeconds: number;
  floor: number;
  baselineSeconds: number;
  baselineMinSends: number;
  defaultConversion: number;
  slack: number;
  maxRatio: number;
  block?: { stepsSeconds: number[]; strikeMemorySeconds: number; minVolume: number; label: string };
};

export type Budget = WindowBudget | BackoffBudget | ConversionBudget;

/** What a conversion budget saw when it blocked its level: the evidence an operator reads. */
export type AutoBlock = {
  label: string;
  /** Sends and verified sends in the window (sliding estimates). */
  sends: number;
  verified: number;
  /** The unverified sends the budget allowed. */
  allowedUnverified: number;
  /** The level's baseline conversion (0–1) the allowance came from. */
  baselineConversion: number;
  windowSeconds: number;
  /** Blocks of this level within the strike memory, this one included. */
  strike: number;
  blockedSeconds: number;
  /** Epoch ms. */
  since: number;
  until: number;
};

/**
 * - `core`: must have room;
 * - `reservable`: must have room, unless the `reserve` budget has room instead (then none of the
 *   reservable ones is charged);
 * - `reserve`: used only in place of the reservable ones;
 * - `observe`: never refuses; counted while it has room, and the decision says which were full
 *   (a detector, or a rule in shadow mode).
 * `chargeOnRefusal`: counted even when the decision refuses (the sender's own budgets).
 */
export type BudgetCheck = Budget & {
  role: "core" | "reservable" | "reserve" | "observe";
  chargeOnRefusal?: boolean;
};

/**
 * A decision over several budgets, with gates evaluated first, in this order; a gate that fails
 * ends the decision and (but for `precondition.chargeOwn`) writes nothing:
 * 1. `precondition`: `key` must hold `equals` (`null`: must be absent) — an ownership record, or
 *    the version of a snapshot the caller decided on;
 * 2. `absent`: none of these keys may exist (a flag that voids the request);
 * 3. `claim`: a single-use mark, made by this decision whatever its outcome; refused when it
 *    already exists (a replay).
 * Then the budgets, check all then charge all; and `onAllowed` written when it allows.
 */
export type BudgetRequest = {
  checks: BudgetCheck[];
  /**
   * With `chargeOwn`, a failed precondition still charges the `core` checks that have room (the
   * caller's own budgets, so asking again and again is bounded); while its key holds another value
   * (someone else owns it now) a full one refuses instead. An absent key is always answered as such.
   */
  precondition?: { key: string; equals: unknown; chargeOwn?: boolean };
  absent?: string[];
  claim?: { key: string; ttlSeconds: number };
  /** Written in the same atomic step when the decision allows (an ownership claim). */
  onAllowed?: { key: string; value: unknown; ttlSeconds: number }[];
};

/** Why a gate refused: the precondition's key holds another value or is absent; an `absent` key exists; the claim was made before. */
export type BudgetGate = "precondition_other" | "precondition_absent" | "present" | "claimed";

export type BudgetDecision =
  | {
      allowed: true;
      gate?: undefined;
      usedReserve: boolean;
      /** Levels a conversion budget of this decision has just blocked (even when it allowed). */
      blocked: { index: number; block: AutoBlock }[];
      /** Indexes into `checks` of the `observe` budgets that were full (the rate they watch is abnormal). */
      observedFull: number[];
      /** When the growing delays charged by this decision let the next hit through (epoch ms). */
      nextAllowedAt: number;
    }
  | {
      allowed: false;
      /** Index into `checks` of the first budget that refused. */
      refusedBy: number;
      /** When that budget has room again (epoch ms). */
      retryAt: number;
      blocked: { index: number; block: AutoBlock }[];
      gate?: undefined;
    }
  | { allowed: false; gate: BudgetGate; refusedBy?: undefined };

/**
 * What a verified code settles, atomically: while `ownership.key` holds `ownership.equals`, it is
 * deleted (so of concurrent callers exactly one settles), and so are the budgets in `reset`; the
 * growing delays in `restart` grow again from their first step. The keys in `forget` are deleted
 * either way. True for the caller that settled.
 */
export type SettleRequest = {
  ownership: { key: string; equals: unknown };
  forget?: string[];
  reset?: Budget[];
  restart?: BackoffBudget[];
  /** Conversion budgets that count one more verified send (only when settled). */
  credit?: ConversionBudget[];
};

/**
 * Check-all-then-consume over several budgets, atomically: either every budget the decision needs
 * has room and each is charged, or nothing is charged (but `chargeOnRefusal` budgets).
 * @upstash/ratelimit checks one bucket per call and charges it as it goes, so a request refused by
 * its third limit has already spent the first two; no library we know decides over several
 * buckets at once. This is a small script of our own (./budgets.ts), one round trip.
 */
export type BudgetStore = {
  decide(request: BudgetRequest): Promise<BudgetDecision>;
  settle(request: SettleRequest): Promise<boolean>;
  /** Forgets every hit of these budgets. */
  reset(budgets: Budget[]): Promise<void>;
  /** Moves a growing delay's last hit `seconds` into the past (sandbox time travel). */
  backdate(budget: BackoffBudget, seconds: number): Promise<void>;
  /** What each budget has used now, in one round trip: window units, conversion sends and verified sends. */
  usage(budgets: (WindowBudget | ConversionBudget)[]): Promise<{ used: number; verified?: number }[]>;
  /** The levels blocked by conversion budgets now (at most `limit`, longest-lasting first). */
  listBlocks(limit: number): Promise<AutoBlock[]>;
  /** Ends a conversion budget's block now (`extendSeconds` 0), or makes it last `extendSeconds` from now. */
  setBlock(budget: ConversionBudget, extendSeconds: number): Promise<boolean>;
};

export type StoreBackendKind = "memory" | "redis" | "upstash";

/** In memory; or Redis through the @upstash/redis API (over HTTP to Upstash, or TCP), every key under `keyPrefix`. */
export type StoreConnection =
  { kind: "memory" } | { kind: "redis"; redis: UpstashRedis; keyPrefix: string; timeoutMs: number };

export type StoreBackend = {
  readonly kind: StoreBackendKind;
  /** What it is and is not, in words an operator reads in the log and on the admin page. */
  readonly description: string;
  readonly kv: KeyValueStore;
  readonly budgets: BudgetStore;
  /**
   * The connection under the store, for modules that keep their own data structures on it (the
   * throttle event log, lib/events): nothing here knows what they store.
   */
  readonly connection: StoreConnection;
  /** Resolves when the backend answers within the deadline; rejects with StoreUnavailableError. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Resolves when the backend accepts a write (a key that expires by itself) within the deadline;
   * rejects with StoreUnavailableError. A Redis out of memory still answers PING and reads, but
   * refuses every limit, so health checks this, not only `ping`.
   */
  probeWrite(): Promise<void>;
};
