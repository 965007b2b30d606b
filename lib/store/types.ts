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
  /**
   * Claims `claim.key` (created only if absent, like setIfAbsent) and reads `keys`, in one round
   * trip; `claimed` is true when this call created the key, or when there was nothing to claim.
   */
  claimAndGetMany<T>(
    claim: { key: string; ttlSeconds: number } | null,
    keys: string[],
  ): Promise<{ claimed: boolean; values: (T | null)[] }>;
  /** Deletes `key` only while it holds `value`; true when it did. Of concurrent callers one wins. */
  deleteIfEquals(key: string, value: unknown): Promise<boolean>;
  /** Prepends `value` to the list at `key`, keeping only the newest `cap` items. */
  pushCapped<T>(key: string, value: T, cap: number): Promise<void>;
  /** Items `offset` to `offset + count - 1` of the list, newest first. */
  readList<T>(key: string, offset: number, count: number): Promise<T[]>;
};

/**
 * One budget that a decision checks: a sliding window (at most `limit` hits per `windowSeconds`,
 * the same approximation as @upstash/ratelimit's `slidingWindow`) or a growing delay (after
 * `freeCount` hits, each further hit must wait `baseSeconds × 2^(count − freeCount)`, at most
 * `maxSeconds`, since the last; the count is forgotten `memorySeconds` after the last hit).
 */
export type Budget =
  | { kind: "window"; key: string; limit: number; windowSeconds: number }
  | {
      kind: "backoff";
      key: string;
      baseSeconds: number;
      maxSeconds: number;
      freeCount: number;
      memorySeconds: number;
    };

export type BackoffBudget = Extract<Budget, { kind: "backoff" }>;

/**
 * - `core`: must have room;
 * - `reservable`: must have room, unless the `reserve` budget has room instead (then none of the
 *   reservable ones is charged);
 * - `reserve`: used only in place of the reservable ones;
 * - `observe`: never refuses; counted while it has room, and the decision says when it was full.
 * `chargeOnRefusal`: counted even when the decision refuses (the sender's own budgets).
 */
export type BudgetCheck = Budget & {
  role: "core" | "reservable" | "reserve" | "observe";
  chargeOnRefusal?: boolean;
};

export type BudgetRequest = {
  checks: BudgetCheck[];
  /**
   * The decision refuses unless `key` holds `equals` (an ownership record). Such a refusal charges
   * the `core` checks (the caller's own budgets), or refuses by the first of them that is full.
   */
  precondition?: { key: string; equals: unknown };
  /** Written in the same atomic step when the decision allows (an ownership claim). */
  onAllowed?: { key: string; value: unknown; ttlSeconds: number };
};

export type BudgetDecision =
  | {
      allowed: true;
      usedReserve: boolean;
      /** An `observe` budget was full (the rate it watches is abnormal). */
      observedFull: boolean;
      /** When the growing delays charged by this decision let the next hit through (epoch ms). */
      nextAllowedAt: number;
    }
  | {
      allowed: false;
      /**
       * Index into `checks` of the first budget that refused; -1 when the precondition's key holds
       * another value, -2 when it is absent.
       */
      refusedBy: number;
      /** When that budget has room again (epoch ms). */
      retryAt: number;
    };

/**
 * Check-all-then-consume over several budgets, atomically: either every budget the decision needs
 * has room and each is charged one hit, or nothing is charged (but `chargeOnRefusal` budgets).
 * @upstash/ratelimit checks one bucket per call and charges it as it goes, so a request refused by
 * its third limit has already spent the first two; no library we know decides over several
 * buckets at once. This is a small script of our own (lib/store/budget-script.ts), one round trip.
 */
export type BudgetStore = {
  decide(request: BudgetRequest): Promise<BudgetDecision>;
  /** Forgets every hit of these budgets (a verified code clears its failure counts). */
  reset(budgets: Budget[]): Promise<void>;
  /** Lets a growing delay grow again from its first step, keeping the time of its last hit. */
  restart(budget: BackoffBudget): Promise<void>;
  /** Moves a growing delay's last hit `seconds` into the past (sandbox time travel). */
  backdate(budget: BackoffBudget, seconds: number): Promise<void>;
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
