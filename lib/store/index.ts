import "server-only";
import { getEnv } from "../env";
import { createBackend } from "./create-backend";
import type { KeyValueStore, StoreBackend } from "./types";

export { StoreUnavailableError } from "./deadline";
export type {
  BackoffBudget,
  Budget,
  BudgetCheck,
  KeyValueStore,
  RateLimiter,
  RateLimitRule,
  StoreBackend,
} from "./types";

const globalKey = Symbol.for("otp-shield.store-backend");
type GlobalWithBackend = typeof globalThis & { [globalKey]?: StoreBackend };

/** The process-wide backend (one, even when Next.js loads this module in several bundles). */
export function getBackend(): StoreBackend {
  const holder = globalThis as GlobalWithBackend;
  holder[globalKey] ??= createBackend(getEnv().store);
  return holder[globalKey];
}

/** The key-value store of the configured backend. */
export function getStore(): KeyValueStore {
  return getBackend().kv;
}
