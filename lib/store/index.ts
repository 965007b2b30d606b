import "server-only";
import { getEnv } from "../env";
import { createBackend } from "./create-backend";
import type { KeyValueStore, StoreBackend } from "./types";

export { isStoreUnavailable, StoreUnavailableError } from "./deadline";
export type {
  AutoBlock,
  ConversionBudget,
  BackoffBudget,
  Budget,
  BudgetCheck,
  BudgetDecision,
  BudgetRequest,
  KeyValueStore,
  SettleRequest,
  StoreBackend,
  StoreConnection,
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

/**
 * Closes the backend (and forgets it, so a later use reconnects). Registered on `globalThis` for
 * lib/node-server.mjs, which runs it last on SIGTERM, after the throttle events are written.
 */
export async function closeBackend(): Promise<void> {
  const holder = globalThis as GlobalWithBackend;
  const backend = holder[globalKey];
  delete holder[globalKey];
  await backend?.close();
}
(globalThis as Record<symbol, unknown>)[Symbol.for("otp-shield.close-store")] = closeBackend;
