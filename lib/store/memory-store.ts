import type { KeyValueStore } from "./types";

type Entry = { json: string; expiresAt: number };

/** Expired entries are swept after this many writes, so memory stays bounded without a timer. */
const SWEEP_EVERY_WRITES = 1000;

/**
 * The embedded default: a store inside this one server process. It is honest about what it is
 * not: nothing is shared between instances and everything is lost on restart. Use Redis for any
 * deployment with more than one instance.
 */
export function createMemoryStore(now: () => number = Date.now): KeyValueStore {
  const entries = new Map<string, Entry>();
  let writes = 0;

  const read = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const write = (key: string, value: unknown, ttlSeconds?: number) => {
    entries.set(key, {
      json: JSON.stringify(value),
      expiresAt: ttlSeconds === undefined ? Number.POSITIVE_INFINITY : now() + ttlSeconds * 1000,
    });
    writes += 1;
    if (writes % SWEEP_EVERY_WRITES === 0) {
      const time = now();
      for (const [candidate, entry] of entries) if (entry.expiresAt <= time) entries.delete(candidate);
    }
  };

  return {
    kind: "memory",
    async get<T>(key: string) {
      const entry = read(key);
      return entry ? (JSON.parse(entry.json) as T) : null;
    },
    async set(key, value, ttlSeconds) {
      write(key, value, ttlSeconds);
    },
    async setIfAbsent(key, value, ttlSeconds) {
      if (read(key)) return false;
      write(key, value, ttlSeconds);
      return true;
    },
    async take<T>(key: string) {
      const entry = read(key);
      if (!entry) return null;
      entries.delete(key);
      return JSON.parse(entry.json) as T;
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
