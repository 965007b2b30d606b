import { spawnSync } from "node:child_process";
import IORedis from "ioredis";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend, type StoreSettings } from "@/lib/store/create-backend";
import type { StoreBackend } from "@/lib/store/types";
import type { NewThrottleEvent } from "@/lib/events";
import { solveAltcha } from "../support/altcha";
import { DisposableRedis } from "../support/redis";
import { eventLogOf } from "../support/event-log";

/**
 * Refusals are free for an attacker (no CAPTCHA solved), so everything they make the store keep
 * must be bounded: 20,000 refusals with distinct numbers, addresses and networks — twenty times
 * the log's capacity — must leave Redis within the bound the README documents, and the send route
 * must write nothing for such a refusal but the log's own capped keys.
 *
 * Measured on a redis-server this test owns (its own port), so nothing else that uses the shared
 * Redis can move the numbers; memory is summed with `MEMORY USAGE` over every key.
 */
const redisServerInstalled = spawnSync("redis-server", ["--version"]).status === 0;
const redis = new DisposableRedis(48_379 + Math.floor(Math.random() * 1000));
const CAPACITY = 1000;
const REFUSALS = 20_000;
const BATCH = 200;
/**
 * The README's bound (section "Storage", throttle events): at most ~1.1 KB per event of capacity
 * for the stream (with the longest user agents), plus well under 1 MB of counters and top sets
 * for an hour of attack.
 */
const BYTES_PER_EVENT = 1152;
const BYTES_PER_HOUR_OF_COUNTERS = 1024 * 1024;

const RETENTION_MS = 7 * 24 * 3_600_000;
const settings: StoreSettings = {
  kind: "redis",
  url: redis.url,
  timeoutMs: 5000,
  keyPrefix: "bound:",
};

const logSettings = { capacity: CAPACITY, phoneRetentionMs: RETENTION_MS };

let admin: IORedis;
let backend: StoreBackend;

it("runs where redis-server is installed, and CI always has it", () => {
  if (!redisServerInstalled)
    console.warn("redis-server is not installed: the memory bound test did not run.");
  if (process.env.CI) expect(redisServerInstalled, "CI must run the memory bound test").toBe(true);
});

beforeAll(async () => {
  if (!redisServerInstalled) return;
  await redis.start();
  admin = new IORedis(redis.url);
  backend = createBackend(settings);
});

afterAll(async () => {
  delete process.env.REDIS_URL;
  delete process.env.STORE_KEY_PREFIX;
  await backend?.close();
  admin?.disconnect();
  await redis.stop();
});

/** Every key under `prefix` with its size in bytes (`MEMORY USAGE`, which counts Redis's overhead). */
async function keysUnder(prefix: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let cursor = "0";
  do {
    const [next, keys] = await admin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    for (const key of keys) sizes.set(key, Number(await admin.call("MEMORY", "USAGE", key, "SAMPLES", "0")));
  } while (cursor !== "0");
  return sizes;
}
const total = (sizes: Map<string, number>) => [...sizes.values()].reduce((sum, size) => sum + size, 0);

/**
 * A refusal as an attacker makes it: a new number (in a new prefix), address and network each
 * time, and the longest user agent the app keeps (512 characters), so the bound is the worst case.
 */
function distinctRefusal(index: number, at: number): NewThrottleEvent {
  const group = `2001:db8:${(index >> 16).toString(16)}:${(index & 0xffff).toString(16)}`;
  const prefix = `+1${200_000 + index}`;
  return {
    at,
    route: "POST /api/otp/send",
    rule: "captcha.missing",
    decision: "refused",
    ip: `${group}::1`,
    subnet: `${group}::/64`,
    phone: `${prefix}${String(index % 10_000).padStart(4, "0")}`,
    country: "US",
    prefix,
    userAgent: `Mozilla/5.0 ${index} `.padEnd(512, "x"),
    retryAfterSeconds: null,
    requestId: crypto.randomUUID(),
  };
}

describe.runIf(redisServerInstalled)("throttle log growth under refusals nobody paid for", () => {
  it("keeps Redis within the documented bound after 20,000 refusals with distinct numbers and addresses", async () => {
    const at = Date.now();
    for (let start = 0; start < REFUSALS; start += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, offset) => distinctRefusal(start + offset, at));
      await eventLogOf(backend, logSettings).recordMany(batch);
    }
    const afterFirst = await keysUnder("bound:");
    const bound = CAPACITY * BYTES_PER_EVENT + BYTES_PER_HOUR_OF_COUNTERS;
    console.info(
      `[memory bound] ${REFUSALS} refusals, capacity ${CAPACITY}: ${afterFirst.size} keys, ${total(afterFirst)} bytes (bound ${bound}), by key:`,
      Object.fromEntries(afterFirst),
    );
    expect(afterFirst.size, "keys after 20,000 refusals").toBeLessThan(20);
    expect(total(afterFirst)).toBeLessThan(bound);

    // Twice as many refusals cost no more: the structures are full, not growing.
    for (let start = REFUSALS; start < 2 * REFUSALS; start += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, offset) => distinctRefusal(start + offset, at));
      await eventLogOf(backend, logSettings).recordMany(batch);
    }
    const afterSecond = await keysUnder("bound:");
    console.info(`[memory bound] ${2 * REFUSALS} refusals: ${total(afterSecond)} bytes`);
    expect(afterSecond.size).toBe(afterFirst.size);
    expect(total(afterSecond)).toBeLessThan(total(afterFirst) * 1.05);
  }, 120_000);

  it("keeps numbers sealed in Redis, and unreadable by anyone once their hour's key has expired", async () => {
    const refusal = distinctRefusal(7_654_321, Date.now());
    const event = await eventLogOf(backend, logSettings).record(refusal);
    const stored = JSON.stringify(await admin.xrange("bound:te:stream", event.id, event.id));
    expect(stored).toContain(event.requestId);
    expect(stored).not.toContain(refusal.phone!.slice(1));
    await expect(eventLogOf(backend, logSettings).revealPhone(event.id)).resolves.toEqual({
      phone: refusal.phone,
    });

    // The hour's key lives as long as the retention of the hour's last refusal, no longer.
    const hour = Math.floor(refusal.at! / 3_600_000) * 3_600_000;
    const phoneKey = `bound:te:pk:${hour}`;
    expect(Number(await admin.call("PEXPIRETIME", phoneKey))).toBe(hour + 3_600_000 + RETENTION_MS);

    await admin.del(phoneKey); // what Redis does when the key expires
    const restarted = createBackend(settings); // another instance: nothing cached
    await expect(eventLogOf(restarted, logSettings).revealPhone(event.id)).resolves.toEqual({ phone: null });
    await restarted.close();
  });

  it("keeps no number at all when the retention is 0", async () => {
    const none = createBackend({
      ...settings,
      keyPrefix: "none:",
    });
    const event = await eventLogOf(none, { capacity: CAPACITY, phoneRetentionMs: 0 }).record(
      distinctRefusal(1, Date.now()),
    );
    await expect(
      eventLogOf(none, { capacity: CAPACITY, phoneRetentionMs: 0 }).revealPhone(event.id),
    ).resolves.toEqual({ phone: null });
    const entries = (await admin.xrange("none:te:stream", "-", "+")) as [string, string[]][];
    expect(JSON.parse(entries[0]![1][1]!)).toMatchObject({ sealedPhone: null });
    expect([...(await keysUnder("none:te:pk:")).keys()]).toEqual([]);
    await none.close();
  });

  it("writes nothing but the capped throttle log for a send refused for a missing CAPTCHA", async () => {
    process.env.REDIS_URL = redis.url;
    process.env.STORE_KEY_PREFIX = "route:";
    const { POST: send } = await import("@/app/api/otp/send/route");
    const { getThrottleEventLog } = await import("@/lib/events");
    const sends = 20;
    for (let index = 0; index < sends; index += 1) {
      const response = await send(
        new NextRequest("http://localhost/api/otp/send", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Forwarded-For": `2001:db8:77:${index}::1` },
          body: JSON.stringify({ phone: `+1415555${String(1000 + index)}` }),
        }),
      );
      expect(response.status).toBe(403);
      expect((await response.json()).error.code).toBe("captcha_failed");
    }
    // Events are written in batches a moment after the response.
    await expect
      .poll(async () => (await getThrottleEventLog().list({ limit: 50 })).events.length)
      .toBe(sends);

    const keys = [...(await keysUnder("route:")).keys()].sort();
    const logKeys = /^route:te:(stream|m:\d+|h:\d+|top:(ip|subnet|prefix|country):\d+|pk:\d+)$/;
    expect(keys.filter((key) => !logKeys.test(key))).toEqual([]);
    // One stream; per hour (two, if the test crosses one): the minute and hour counts, a top set
    // per dimension and the key that seals the hour's numbers.
    expect(keys.length).toBeLessThanOrEqual(1 + 2 * (2 + 4 + 1));
  });

  it("fails closed when Redis is full: with noeviction a send answers 503 and no code leaves", async () => {
    process.env.REDIS_URL = redis.url;
    process.env.STORE_KEY_PREFIX = "route:";
    const { POST: send } = await import("@/app/api/otp/send/route");
    const { createAltchaChallenge } = await import("@/lib/defenses/captcha");
    const emulator = (await (await import("@/lib/eight-by-eight")).getSandboxEmulator())!;
    const captcha = await solveAltcha(await createAltchaChallenge());
    expect(await admin.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
    await admin.config("SET", "maxmemory", "1");
    try {
      const response = await send(
        new NextRequest("http://localhost/api/otp/send", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Forwarded-For": "2001:db8:78::1" },
          body: JSON.stringify({ phone: "+14155552671", captcha }),
        }),
      );
      expect(response.status).toBe(503);
      expect((await response.json()).error.code).toBe("unavailable");
      expect(emulator.listMessages("+14155552671")).toHaveLength(0);
    } finally {
      await admin.config("SET", "maxmemory", "0");
    }
  });
});
