import "server-only";
import { createMemoryStore } from "./memory-store";
import type { KeyValueStore } from "./types";

export type { KeyValueStore } from "./types";

const globalKey = Symbol.for("otp-shield.store");
type GlobalWithStore = typeof globalThis & { [globalKey]?: KeyValueStore };

/** The process-wide store (one instance even when Next.js loads this module in several bundles). */
export function getStore(): KeyValueStore {
  const holder = globalThis as GlobalWithStore;
  holder[globalKey] ??= createMemoryStore();
  return holder[globalKey];
}
