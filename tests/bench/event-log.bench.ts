import { bench, describe } from "vitest";
import type { NewThrottleEvent } from "@/lib/events";
import { createBackend } from "@/lib/store/create-backend";
import { eventLogOf } from "../support/event-log";
import { isRedisReachable, REDIS_URL, uniquePrefix } from "../support/redis";

// What recording a refusal costs this process on Redis over TCP (`npm run bench`): under a flood
// every refusal is an event, written in batches of 200 (lib/events/index.ts). CPU per event, so
// other load on the machine barely moves it; the refusals come from a ring (a fresh address and
// number each), so nothing is cached for them.
const reachable = await isRedisReachable();
const BATCH = 200;
const RUNS = 40;

let sequence = 0;
const refusal = (): NewThrottleEvent => {
  sequence += 1;
  const phone = `+658${String(1_000_000 + (sequence % 8_999_999))}`;
  return {
    at: Date.now(),
    route: "POST /api/otp/send",
    rule: "captcha.malformed",
    decision: "refused",
    ip: `2001:db8:${(sequence % 65_000).toString(16)}::1`,
    subnet: `2001:db8:${(sequence % 65_000).toString(16)}::/48`,
    phone,
    country: "SG",
    prefix: phone.slice(0, -4),
    userAgent:
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    retryAfterSeconds: null,
    requestId: crypto.randomUUID(),
  };
};

describe.runIf(reachable)("throttle event log, Redis over TCP", () => {
  const backend = reachable
    ? createBackend({ kind: "redis", url: REDIS_URL, timeoutMs: 2000, keyPrefix: uniquePrefix("bench-log") })
    : null;
  const log = backend
    ? eventLogOf(backend, { capacity: 100_000, phoneRetentionMs: 7 * 24 * 3_600_000 })
    : null;
  let batches: NewThrottleEvent[][] = [];
  let start: NodeJS.CpuUsage | undefined;

  bench(
    `records a batch of ${BATCH} refusals from a ring`,
    async () => {
      await log!.recordMany(batches.pop()!);
    },
    {
      time: 0,
      iterations: RUNS,
      warmupTime: 0,
      warmupIterations: 5,
      setup: (_task, mode) => {
        // The events are made beforehand: what is timed is the log's work only.
        batches = Array.from({ length: mode === "warmup" ? 5 : RUNS }, () =>
          Array.from({ length: BATCH }, refusal),
        );
        if (mode === "run") start = process.cpuUsage();
      },
      teardown: async (task, mode) => {
        if (mode !== "run" || !start) return;
        const used = process.cpuUsage(start);
        const perEvent = (used.user + used.system) / (RUNS * BATCH);
        console.log(`[bench] CPU per recorded refusal: ${perEvent.toFixed(1)} µs — ${task.name}`);
        await backend!.close();
      },
    },
  );
});
