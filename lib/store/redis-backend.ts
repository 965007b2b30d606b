import type { Redis as UpstashRedis } from "@upstash/redis";
import { config } from "@/lib/config";
import { createRedisBudgetStore } from "./budgets";
import { withDeadline } from "./deadline";
import type { KeyValueStore, StoreBackend, StoreBackendKind } from "./types";

export type RedisBackendOptions = {
  kind: Exclude<StoreBackendKind, "memory">;
  description: string;
  redis: UpstashRedis;
  /** Prepended to every key, so several apps (or test runs) can share one Redis. */
  keyPrefix: string;
  /** Every operation answers or fails within this time. */
  timeoutMs: number;
  close?: () => Promise<void>;
};

/**
 * State on Redis through the `@upstash/redis` API — over HTTP to Upstash, or over TCP to any
 * Redis (see redis-tcp-requester.ts). Limits are decisions of the budget store (./budgets.ts).
 */
export function createRedisBackend(options: RedisBackendOptions): StoreBackend {
  const { redis, keyPrefix, timeoutMs } = options;
  const guard = <T>(operation: string, promise: Promise<T>) => withDeadline(operation, promise, timeoutMs);
  const ttl = (seconds: number) => Math.max(1, Math.ceil(seconds));
  const encode = (value: unknown) => JSON.stringify(value);
  // @upstash/redis parses JSON replies itself (automatic deserialization), so reads return values.

  const deleteIfEqualsScript = redis.createScript<number>(
    `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`,
  );

  // Keeps the TTL the key has (KEEPTTL); cjson is part of Redis's Lua and of Upstash's.
  const createOrMergeScript = redis.createScript<[number, unknown]>(`
local held = redis.call("GET", KEYS[1])
if not held then
  redis.call("SET", KEYS[1], ARGV[1])
  return {1, ARGV[1]}
end
local value = cjson.decode(held)
for field, update in pairs(cjson.decode(ARGV[2])) do value[field] = update end
local merged = cjson.encode(value)
redis.call("SET", KEYS[1], merged, "KEEPTTL")
return {0, merged}
`);

  const kv: KeyValueStore = {
    get: <T>(key: string) => guard("GET", redis.get<T>(keyPrefix + key)),
    async set(key, value, ttlSeconds) {
      const json = encode(value);
      await guard(
        "SET",
        ttlSeconds === undefined
          ? redis.set(keyPrefix + key, json)
          : redis.set(keyPrefix + key, json, { ex: ttl(ttlSeconds) }),
      );
    },
    async setIfAbsent(key, value, ttlSeconds) {
      const json = encode(value);
      const reply = await guard(
        "SET NX",
        ttlSeconds === undefined
          ? redis.set(keyPrefix + key, json, { nx: true })
          : redis.set(keyPrefix + key, json, { nx: true, ex: ttl(ttlSeconds) }),
      );
      return reply === "OK";
    },
    take: <T>(key: string) => guard("GETDEL", redis.getdel<T>(keyPrefix + key)),
    async delete(key) {
      await guard("DEL", redis.del(keyPrefix + key));
    },
    async getMany<T>(keys: string[]) {
      if (keys.length === 0) return [];
      return guard("MGET", redis.mget<(T | null)[]>(...keys.map((key) => keyPrefix + key)));
    },
    async increment(key) {
      return guard("INCR", redis.incr(keyPrefix + key));
    },
    async createOrMerge<T extends object>(key: string, initial: T, update: Partial<T>) {
      const [created, json] = await guard(
        "create or merge",
        createOrMergeScript.exec([keyPrefix + key], [encode(initial), encode(update)]),
      );
      return { value: (typeof json === "string" ? JSON.parse(json) : json) as T, created: created === 1 };
    },
    async deleteIfEquals(key, value) {
      const deleted = await guard(
        "compare and delete",
        deleteIfEqualsScript.exec([keyPrefix + key], [encode(value)]),
      );
      return deleted === 1;
    },
    async readVersionedMap<T>(key: string) {
      const [entries, version] = await guard(
        "HGETALL + GET",
        // A transaction, not a pipeline: Upstash may interleave a pipeline with other writes, and
        // rules read apart from their version would be cached under the wrong one.
        redis
          .multi()
          .hgetall<Record<string, T>>(keyPrefix + key)
          .get<number>(`${keyPrefix}${key}:version`)
          .exec<[Record<string, T> | null, number | null]>(),
      );
      return { version: Number(version ?? 0), entries: entries ?? {} };
    },
    async updateVersionedMap(key, set, remove) {
      const transaction = redis.multi();
      const fields = Object.fromEntries(Object.entries(set).map(([field, value]) => [field, encode(value)]));
      if (Object.keys(fields).length > 0) transaction.hset(keyPrefix + key, fields);
      if (remove.length > 0) transaction.hdel(keyPrefix + key, ...remove);
      transaction.incr(`${keyPrefix}${key}:version`);
      const replies = await guard("versioned map update", transaction.exec<number[]>());
      return Number(replies.at(-1));
    },
    async pushCapped(key, value, cap) {
      await guard(
        "LPUSH",
        redis
          .multi()
          .lpush(keyPrefix + key, encode(value))
          .ltrim(keyPrefix + key, 0, cap - 1)
          .exec(),
      );
    },
    async readList<T>(key: string, offset: number, count: number) {
      return guard("LRANGE", redis.lrange<T>(keyPrefix + key, offset, offset + count - 1));
    },
  };

  const budgets = createRedisBudgetStore(redis, keyPrefix, guard);

  return {
    kind: options.kind,
    description: options.description,
    kv,
    budgets,
    connection: { kind: "redis", redis, keyPrefix, timeoutMs },
    async ping() {
      await guard("PING", redis.ping());
    },
    close: options.close ?? (async () => undefined),
    async probeWrite() {
      // Owned here, like the connection: one key per deployment, gone after a minute.
      await guard(
        "SET health probe",
        redis.set(`${keyPrefix}health:probe`, Date.now(), { px: config.store.healthProbeLifetime.value }),
      );
    },
  };
}
