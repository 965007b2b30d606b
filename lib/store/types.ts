/**
 * The key-value operations the app's storage modules need. Values are JSON. Each operation is
 * atomic on its own, which is what makes "consume once" (take) and "create once" (setIfAbsent)
 * safe under concurrency.
 */
export type KeyValueStore = {
  readonly kind: "memory";
  get<T>(key: string): Promise<T | null>;
  /** Stores `value`, replacing any; it disappears after `ttlSeconds` when given. */
  set<T>(key: string, value: T, ttlSeconds?: number): Promise<void>;
  /** Stores `value` only when `key` is absent; true when it did. */
  setIfAbsent<T>(key: string, value: T, ttlSeconds?: number): Promise<boolean>;
  /** Reads and deletes in one step: of many concurrent takers, only one gets the value. */
  take<T>(key: string): Promise<T | null>;
  delete(key: string): Promise<void>;
};
