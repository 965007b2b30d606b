import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend } from "@/lib/store/create-backend";
import { StoreUnavailableError } from "@/lib/store/deadline";
import { DisposableRedis } from "../support/redis";
import { singleLimit } from "../support/single-limit";

/**
 * A Redis this test owns (its own port), stopped and started again under a running backend:
 * the backend must report unavailable within its deadline, never hang or let a limit through,
 * and work again when Redis is back, without being recreated.
 */
const redisServerInstalled = spawnSync("redis-server", ["--version"]).status === 0;
const redis = new DisposableRedis(46_379 + Math.floor(Math.random() * 1000));
const timeoutMs = 400;
let backend: ReturnType<typeof createBackend>;

it("runs where redis-server is installed, and CI always has it", () => {
  if (!redisServerInstalled)
    console.warn("redis-server is not installed: the Redis recovery test did not run.");
  if (process.env.CI) expect(redisServerInstalled, "CI must run the Redis recovery test").toBe(true);
});

beforeAll(async () => {
  if (!redisServerInstalled) return;
  await redis.start();
  backend = createBackend({
    kind: "redis",
    url: redis.url,
    timeoutMs,
    keyPrefix: "recovery:",
  });
});

afterAll(async () => {
  await backend?.close();
  await redis.stop();
});

describe.runIf(redisServerInstalled)("a Redis that goes away", () => {
  it("fails closed within the deadline while Redis is down and recovers without a restart", async () => {
    const limiter = singleLimit(backend, { name: "recovery", limit: 100, windowSeconds: 60 });
    expect((await limiter.limit("someone")).success).toBe(true);

    await redis.stop();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const started = Date.now();
      const outcome = await limiter.limit("someone").then(
        () => "answered",
        (error: unknown) => error,
      );
      expect(outcome).toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(timeoutMs + 300);
    }

    await redis.start();
    let recovered = false;
    for (let attempt = 0; attempt < 40 && !recovered; attempt += 1) {
      recovered = await limiter.limit("someone").then(
        (decision) => decision.success,
        () => false,
      );
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(recovered).toBe(true);
    await expect(backend.kv.setIfAbsent("after-recovery", 1)).resolves.toBe(true);
  });

  it("answers within the deadline when Redis is slow, and fails closed", async () => {
    const admin = new (await import("ioredis")).default(redis.url);
    const limiter = singleLimit(backend, { name: "slow", limit: 100, windowSeconds: 60 });
    const sleeping = admin.call("DEBUG", "SLEEP", "1.5");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await expect(limiter.limit("someone")).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(timeoutMs + 300);
    await sleeping;
    admin.disconnect();
  });

  it("treats a Redis that answers errors (out of memory) as unavailable, then recovers", async () => {
    const admin = new (await import("ioredis")).default(redis.url);
    const limiter = singleLimit(backend, { name: "oom", limit: 100, windowSeconds: 60 });
    expect((await limiter.limit("someone")).success).toBe(true);
    await admin.config("SET", "maxmemory", "1");
    try {
      await expect(limiter.limit("someone else")).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(backend.kv.setIfAbsent("oom", 1)).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await admin.config("SET", "maxmemory", "0");
      admin.disconnect();
    }
    expect((await limiter.limit("someone else")).success).toBe(true);
  });
});
