import { createMemoryThrottleLog } from "../throttle-events/memory-log";
import type { KeyValueStore, RateLimiter, RateLimitRule, StoreBackend } from "./types";

type Entry = { json: string; expiresAt: number };

/** Expired entries are swept after this many writes, so memory stays bounded without a timer. */
const SWEEP_EVERY_WRITES = 1000;

export function createMemoryKeyValueStore(now: () => number = Date.now): KeyValueStore {
  const entries = new Map<string, Entry>();
  const lists = new Map<string, string[]>();
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
    async claimAndGetMany<T>(claim: { key: string; ttlSeconds: number } | null, keys: string[]) {
      let claimed = true;
      if (claim) {
        claimed = !read(claim.key);
        if (claimed) write(claim.key, 1, claim.ttlSeconds);
      }
      return {
        claimed,
        values: keys.map((key) => readValue<T>(key)),
      };
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

type WindowState = { windowStart: number; current: number; previous: number };

/**
 * The same sliding-window approximation as @upstash/ratelimit's `slidingWindow`: the previous
 * window's count, weighted by how much of it still overlaps, plus the current window's count.
 * Synchronous inside, so atomic within the process.
 */
export function createMemoryRateLimiter(rule: RateLimitRule, now: () => number = Date.now): RateLimiter {
  const windowMs = rule.windowSeconds * 1000;
  const states = new Map<string, WindowState>();
  let calls = 0;

  const stateFor = (identifier: string, time: number): WindowState => {
    const windowStart = Math.floor(time / windowMs) * windowMs;
    let state = states.get(identifier);
    if (!state) {
      state = { windowStart, current: 0, previous: 0 };
      states.set(identifier, state);
    } else if (state.windowStart !== windowStart) {
      state.previous = state.windowStart === windowStart - windowMs ? state.current : 0;
      state.current = 0;
      state.windowStart = windowStart;
    }
    return state;
  };

  return {
    rule,
    async limit(identifier) {
      const time = now();
      calls += 1;
      if (calls % SWEEP_EVERY_WRITES === 0) {
        for (const [key, state] of states) if (state.windowStart < time - 2 * windowMs) states.delete(key);
      }
      const state = stateFor(identifier, time);
      const overlap = 1 - (time - state.windowStart) / windowMs;
      const used = Math.floor(state.previous * overlap) + state.current;
      const resetAt = state.windowStart + windowMs;
      if (used >= rule.limit) return { success: false, remaining: 0, resetAt };
      state.current += 1;
      return { success: true, remaining: rule.limit - used - 1, resetAt };
    },
    async reset(identifier) {
      states.delete(identifier);
    },
  };
}

/**
 * The embedded default: state inside this one server process. It is honest about what it is
 * not: nothing is shared between instances and everything is lost on restart.
 */
export function createMemoryBackend(
  logOptions: { capacity: number; phoneRetentionMs: number },
  now: () => number = Date.now,
): StoreBackend {
  return {
    kind: "memory",
    description: "in-process memory: one instance only, not shared, lost on restart",
    kv: createMemoryKeyValueStore(now),
    createRateLimiter: (rule) => createMemoryRateLimiter(rule, now),
    throttleEvents: createMemoryThrottleLog(logOptions),
    ping: async () => undefined,
    close: async () => undefined,
    probeWrite: async () => undefined,
  };
}
