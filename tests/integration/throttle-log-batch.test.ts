import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewThrottleEvent } from "@/lib/events";
import { createPhoneSealer } from "@/lib/events/phone-sealing";
import { createBackend } from "@/lib/store/create-backend";
import type { StoreBackend } from "@/lib/store/types";
import { eventLogOf } from "../support/event-log";
import { isRedisReachable, startUpstashBridge, uniquePrefix } from "../support/redis";

/**
 * What a batch of refusals costs the store: under a flood every refusal is an event, so the
 * commands a batch sends (what Upstash bills, and what the app encodes and parses) must not grow
 * with the batch. Counted on the Upstash-compatible bridge in front of the machine's Redis.
 */
const reachable = await isRedisReachable();

it("runs where Redis answers, and CI always has it", () => {
  if (process.env.CI) expect(reachable, "CI must count a batch's commands").toBe(true);
});

describe.runIf(reachable)("a batch of throttle events on Redis", () => {
  let bridge: Awaited<ReturnType<typeof startUpstashBridge>>;
  let backend: StoreBackend;

  beforeAll(async () => {
    bridge = await startUpstashBridge();
    backend = createBackend({
      kind: "upstash",
      url: bridge.url,
      token: bridge.token,
      timeoutMs: 2000,
      keyPrefix: uniquePrefix("batch"),
    });
  });

  afterAll(async () => {
    await backend?.close();
    await bridge?.close();
  });

  let sequence = 0;
  /** A refusal from a fresh address to a fresh number, as a pumping ring sends them. */
  const refusal = (at: number): NewThrottleEvent => {
    sequence += 1;
    const phone = `+6581${String(100000 + sequence).slice(-6)}`;
    return {
      at,
      route: "POST /api/otp/send",
      rule: "captcha.malformed",
      decision: "refused",
      ip: `203.0.${sequence >> 8}.${sequence & 255}`,
      subnet: `203.0.${sequence >> 8}.0/24`,
      phone,
      country: "SG",
      prefix: phone.slice(0, -4),
      userAgent: "bot/1.0",
      retryAfterSeconds: null,
      requestId: `batch-${sequence}`,
    };
  };

  it("writes 200 refusals in as many commands as 20, and lists every one of them", async () => {
    const log = eventLogOf(backend);
    const at = Date.now();
    // The first batch of the hour also fetches the key that seals its numbers.
    await log.recordMany([refusal(at)]);

    const commandsOf = async (events: NewThrottleEvent[]) => {
      const before = bridge.commands.read();
      await log.recordMany(events);
      return bridge.commands.read() - before;
    };
    const small = await commandsOf(Array.from({ length: 20 }, () => refusal(at)));
    const large = await commandsOf(Array.from({ length: 200 }, () => refusal(at)));
    expect(large).toBe(small);
    // The append; an increment and an expiry for the minute's and the hour's counts; one script
    // per top-source set (address, network, prefix, country).
    expect(large).toBe(9);

    const { events } = await log.list({ limit: 300, filters: {} });
    expect(events).toHaveLength(221);
    expect(events[0]!.requestId).toBe(`batch-${sequence}`);
    expect(events.at(-1)!.requestId).toBe(`batch-${sequence - 220}`);
    expect(events[0]!.phoneMasked).toBe(`+65 ${events[0]!.prefix!.slice(3)}••••`);
    await expect(log.revealPhone(events[0]!.id)).resolves.toEqual({
      phone: `${events[0]!.prefix}${`${100000 + sequence}`.slice(-4)}`,
    });
    const minutes = await log.aggregate({ granularity: "minute", buckets: 1, now: at });
    expect(minutes.buckets[0]!.counts["captcha.malformed"]).toBe(221);
  });

  it("seals each number of a batch under a nonce of its own", async () => {
    const { connection } = backend;
    if (connection.kind === "memory") throw new Error("a Redis backend was expected");
    const sealer = createPhoneSealer({
      redis: connection.redis,
      keyName: (hour) => `${connection.keyPrefix}test:pk:${hour}`,
      retentionMs: 3_600_000,
      guard: (_operation, promise) => promise,
    });
    const at = Date.now();
    const items = Array.from({ length: 50 }, () => ({
      phone: "+6581234567",
      at,
      requestId: "same-request",
    }));
    const sealed = (await sealer.seal(items)) as string[];
    const nonces = sealed.map((value) => value.split(".")[0]);
    expect(new Set(nonces).size).toBe(50);
    expect(new Set(sealed).size).toBe(50);
    for (const value of sealed)
      await expect(sealer.open(value, at, "same-request")).resolves.toBe("+6581234567");
  });
});
