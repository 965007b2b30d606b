import type { ThrottleEventLog } from "../throttle-events/types";

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
  /** Prepends `value` to the list at `key`, keeping only the newest `cap` items. */
  pushCapped<T>(key: string, value: T, cap: number): Promise<void>;
  /** Items `offset` to `offset + count - 1` of the list, newest first. */
  readList<T>(key: string, offset: number, count: number): Promise<T[]>;
};

/** A sliding-window limit: at most `limit` hits per `windowSeconds` for one identifier. */
export type RateLimitRule = { name: string; limit: number; windowSeconds: number };

export type RateLimitDecision = {
  success: boolean;
  remaining: number;
  /** When the window has room again (epoch ms). */
  resetAt: number;
};

/** The limiter contract every backend implements (on Redis, @upstash/ratelimit itself). */
export type RateLimiter = {
  readonly rule: RateLimitRule;
  /** Counts one hit for `identifier` and says whether it was within the limit. Atomic. */
  limit(identifier: string): Promise<RateLimitDecision>;
  /** Forgets every hit for `identifier` (a success can reset a failure count). */
  reset(identifier: string): Promise<void>;
};

export type StoreBackendKind = "memory" | "redis" | "upstash";

export type StoreBackend = {
  readonly kind: StoreBackendKind;
  /** What it is and is not, in words an operator reads in the log and on the admin page. */
  readonly description: string;
  readonly kv: KeyValueStore;
  createRateLimiter(rule: RateLimitRule): RateLimiter;
  readonly throttleEvents: ThrottleEventLog;
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
