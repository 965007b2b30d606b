import { spawnSync } from "node:child_process";
import IORedis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend } from "@/lib/store/create-backend";
import { isStoreUnavailable } from "@/lib/store/deadline";
import { createMemoryBackend } from "@/lib/store/memory-store";
import type { StoreBackend } from "@/lib/store/types";
import { DisposableRedis, startUpstashBridge } from "../support/redis";

/**
 * `probeWrite`, which health relies on: a Redis at `maxmemory` still answers PING and reads but
 * refuses every write, so every limit fails. On a Redis this test owns (E2E_PORT + 60), through
 * both Redis backends.
 */
const redisServerInstalled = spawnSync("redis-server", ["--version"]).status === 0;
const redis = new DisposableRedis(Number(process.env.E2E_PORT ?? 3100) + 60);
const opened: StoreBackend[] = [];
let closeBridge: (() => Promise<void>) | undefined;
let admin: IORedis;

it("runs where redis-server is installed, and CI always has it", () => {
  if (!redisServerInstalled) console.warn("redis-server is not installed: the write-probe test did not run.");
  if (process.env.CI) expect(redisServerInstalled, "CI must run the write-probe test").toBe(true);
});

it("memory: accepts the probe", async () => {
  await expect(createMemoryBackend().probeWrite()).resolves.toBeUndefined();
});

beforeAll(async () => {
  if (!redisServerInstalled) return;
  await redis.start();
  admin = new IORedis(redis.url);
  const bridge = await startUpstashBridge(redis.url);
  closeBridge = bridge.close;
  opened.push(
    createBackend({ kind: "redis", url: redis.url, timeoutMs: 1000, keyPrefix: "probe-tcp:" }),
    createBackend({
      kind: "upstash",
      url: bridge.url,
      token: bridge.token,
      timeoutMs: 1000,
      keyPrefix: "probe-rest:",
    }),
  );
});

afterAll(async () => {
  await Promise.all(opened.map((backend) => backend.close()));
  await closeBridge?.();
  admin?.disconnect();
  await redis.stop();
});

describe.runIf(redisServerInstalled)("a Redis that answers but refuses writes", () => {
  it("redis and upstash: the probe writes a key that expires by itself", async () => {
    for (const backend of opened) await backend.probeWrite();
    for (const prefix of ["probe-tcp:", "probe-rest:"]) {
      const ttl = await admin.pttl(`${prefix}health:probe`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });

  it("redis and upstash: ping passes, the write probe fails as store unavailable, then recovers", async () => {
    await admin.config("SET", "maxmemory", "1");
    try {
      for (const backend of opened) {
        await expect(backend.ping()).resolves.toBeUndefined();
        const failure = await backend.probeWrite().then(
          () => "accepted",
          (error: unknown) => error,
        );
        expect(isStoreUnavailable(failure), `${backend.kind}: ${String(failure)}`).toBe(true);
      }
    } finally {
      await admin.config("SET", "maxmemory", "0");
    }
    for (const backend of opened) await expect(backend.probeWrite()).resolves.toBeUndefined();
  });
});
