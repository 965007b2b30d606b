import { afterAll, describe, expect, it } from "vitest";
import { createBackend, type StoreSettings } from "@/lib/store/create-backend";
import { isRedisReachable, REDIS_URL, uniquePrefix } from "../support/redis";
import { singleLimit } from "../support/single-limit";
import { eventLogOf } from "../support/event-log";
import type { StoreBackend } from "@/lib/store/types";

const throttleLog = { capacity: 1000, phoneRetentionMs: 3_600_000 };
const logOf = (backend: StoreBackend) => eventLogOf(backend, throttleLog);

/**
 * An app restart on a Redis backend: a new process builds a new backend on the same Redis and
 * must find the blocks, the limit counters and the throttle events the old one left.
 */
const reachable = await isRedisReachable();
const opened: ReturnType<typeof createBackend>[] = [];
afterAll(async () => Promise.all(opened.map((backend) => backend.close())));

it("runs wherever Redis is reachable, and CI always has it", () => {
  if (process.env.CI) expect(reachable).toBe(true);
});

describe.runIf(reachable)("restarting on Redis", () => {
  it("keeps rules, counters and events across a new backend instance", async () => {
    const settings: StoreSettings = {
      kind: "redis",
      url: REDIS_URL,
      timeoutMs: 2000,
      keyPrefix: uniquePrefix("restart"),
    };
    const before = createBackend(settings);
    opened.push(before);
    await before.kv.set("rule:block-prefix:+6581", { kind: "block-prefix" }, 600);
    const limiterBefore = singleLimit(before, { name: "restart", limit: 2, windowSeconds: 600 });
    await limiterBefore.limit("203.0.113.9");
    await limiterBefore.limit("203.0.113.9");
    await logOf(before).record({
      route: "POST /api/otp/send",
      rule: "limit.send.ip",
      decision: "refused",
      ip: "203.0.113.9",
      subnet: "203.0.113.0/24",
      phone: "+6581234567",
      country: "SG",
      prefix: "+658123",
      userAgent: null,
      retryAfterSeconds: 60,
      requestId: "restart-1",
    });
    await before.close();

    const after = createBackend(settings);
    opened.push(after);
    expect(await after.kv.get("rule:block-prefix:+6581")).toEqual({ kind: "block-prefix" });
    const limiterAfter = singleLimit(after, { name: "restart", limit: 2, windowSeconds: 600 });
    expect((await limiterAfter.limit("203.0.113.9")).success).toBe(false);
    const { events } = await logOf(after).list({ limit: 5 });
    expect(events.map((event) => event.requestId)).toEqual(["restart-1"]);
    // The key that seals the number is in Redis, not only in the old process.
    await expect(logOf(after).revealPhone(events[0]!.id)).resolves.toEqual({ phone: "+6581234567" });
  });
});
