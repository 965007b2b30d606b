import { createMemoryBudgetStore } from "./budgets";
import type { KeyValueStore, StoreBackend } from "./types";

type Entry = { json: string; expiresAt: number };

/** Expired entries are swept after this many writes, so memory stays bounded without a timer. */
const SWEEP_EVERY_WRITES = 1000;

/** The in-process key-value store, with synchronous reads and writes for the budget store's gates. */
export function createMemoryKeyValueStore(now: () => number = Date.now): KeyValueStore & {
  readNow(key: string): unknown;
  writeNow(key: string, value: unknown, ttlSeconds: number): void;
  deleteNow(key: string): void;
} {
  const entries = new Map<string, Entry>();
  const lists = new Map<string, string[]>();
  const maps = new Map<string, Map<string, string>>();
  let writes = 0;

  const read = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const readValue = <T>(key: string): T | null => {
    const entry = read(key);
    return entry ? (JSON.parse(entry.json) as T) : null;
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
    readNow: (key) => readValue(key),
    writeNow: (key, value, ttlSeconds) => write(key, value, ttlSeconds),
    deleteNow: (key) => void entries.delete(key),
    async get<T>(key: string) {
      return readValue<T>(key);
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
    async getMany<T>(keys: string[]) {
      return keys.map((key) => readValue<T>(key));
    },
    async increment(key) {
      const entry = read(key);
      const value = (entry ? Number(JSON.parse(entry.json)) : 0) + 1;
      entries.set(key, {
        json: JSON.stringify(value),
        expiresAt: entry?.expiresAt ?? Number.POSITIVE_INFINITY,
      });
      return value;
    },
    async createOrMerge<T extends object>(key: string, initial: T, update: Partial<T>) {
      const existing = readValue<T>(key);
      const value = existing ? { ...existing, ...update } : initial;
      entries.set(key, {
        json: JSON.stringify(value),
        expiresAt: read(key)?.expiresAt ?? Number.POSITIVE_INFINITY,
      });
      return { value, created: !existing };
    },
    async deleteIfEquals(key, value) {
      const entry = read(key);
      if (!entry || entry.json !== JSON.stringify(value)) return false;
      entries.delete(key);
      return true;
    },
    async readVersionedMap<T>(key: string) {
      const entries: Record<string, T> = {};
      for (const [field, json] of maps.get(key) ?? []) entries[field] = JSON.parse(json) as T;
      return { version: readValue<number>(`${key}:version`) ?? 0, entries };
    },
    async updateVersionedMap(key, set, remove) {
      const map = maps.get(key) ?? new Map<string, string>();
      for (const [field, value] of Object.entries(set)) map.set(field, JSON.stringify(value));
      for (const field of remove) map.delete(field);
      maps.set(key, map);
      const version = (readValue<number>(`${key}:version`) ?? 0) + 1;
      write(`${key}:version`, version);
      return version;
    },
    async pushCapped(key, value, cap) {
      const list = lists.get(key) ?? [];
      list.unshift(JSON.stringify(value));
      if (list.length > cap) list.length = cap;
      lists.set(key, list);
    },
    async readList<T>(key: string, offset: number, count: number) {
      return (lists.get(key) ?? []).slice(offset, offset + count).map((json) => JSON.parse(json) as T);
    },
  };
}

/**
 * The embedded default: state inside this one server process. It is honest about what it is
 * not: nothing is shared between instances and everything is lost on restart.
 */
export function createMemoryBackend(now: () => number = Date.now): StoreBackend {
  const kv = createMemoryKeyValueStore(now);
  const budgets = createMemoryBudgetStore(kv, now);
  return {
    kind: "memory",
    description: "in-process memory: one instance only, not shared, lost on restart",
    kv,
    budgets,
    connection: { kind: "memory" },
    ping: async () => undefined,
    close: async () => undefined,
    probeWrite: async () => undefined,
  };
}
