import { afterAll, describe, expect, it } from "vitest";
import type { NewThrottleEvent } from "@/lib/events/types";
import type { StoreBackend } from "@/lib/store/types";
import { contractBackends } from "../support/backends";
import { eventLogOf } from "../support/event-log";

/**
 * `forgetPhone`, what an account deletion asks of the throttle event log: one contract on the
 * three backends (the in-process log, and the Redis stream over TCP and over Upstash REST).
 */
const { redisReachable, backends, close: closeBridge } = await contractBackends();
const opened: StoreBackend[] = [];

afterAll(async () => {
  await Promise.all(opened.map((backend) => backend.close()));
  await closeBridge();
});

it("runs the Redis suites wherever Redis is reachable, and CI always has it", () => {
  if (process.env.CI) expect(redisReachable, "CI must run the Redis suites").toBe(true);
});

let sequence = 0;
function refusal(phone: string | null, ip: string): NewThrottleEvent {
  sequence += 1;
  return {
    route: "POST /api/otp/send",
    rule: "limit.send.phone",
    decision: "refused",
    ip,
    subnet: "203.0.113.0/24",
    country: "SG",
    prefix: phone ? phone.slice(0, -4) : null,
    phone,
    userAgent: "test",
    retryAfterSeconds: 60,
    requestId: `request-${sequence}`,
  };
}

for (const { name, available, create } of backends) {
  describe.runIf(available)(`forgetting a number: ${name}`, () => {
    const backend = create();
    opened.push(backend);
    const log = () => eventLogOf(backend, { capacity: 1000, phoneRetentionMs: 3_600_000 });

    it("removes every event of the number, keeps the others and every count", async () => {
      const deleted = "+6581239901";
      const neighbour = "+6581239902";
      await log().recordMany([
        refusal(deleted, "203.0.113.1"),
        refusal(neighbour, "203.0.113.2"),
        refusal(deleted, "203.0.113.3"),
        refusal(null, "203.0.113.4"),
      ]);
      const before = (await log().list({ limit: 100 })).events;
      expect(before).toHaveLength(4);
      const aggregates = await log().aggregate({ granularity: "minute", buckets: 2 });

      expect(await log().forgetPhone(deleted)).toBe(2);

      const after = (await log().list({ limit: 100 })).events;
      expect(after.map((event) => event.ip)).toEqual(["203.0.113.4", "203.0.113.2"]);
      const shown = await Promise.all(
        before.map(async (event) => (await log().revealPhone(event.id))?.phone),
      );
      expect(shown).not.toContain(deleted);
      expect(shown).toContain(neighbour);
      // Not per number: the counts per rule and the top sources stay as they were.
      expect(await log().aggregate({ granularity: "minute", buckets: 2 })).toEqual(aggregates);
      // Nothing is left to forget, and new events are recorded as before.
      expect(await log().forgetPhone(deleted)).toBe(0);
      await log().record(refusal(neighbour, "203.0.113.5"));
      const newest = (await log().list({ limit: 1 })).events[0]!;
      expect(newest.ip).toBe("203.0.113.5");
      expect(await log().revealPhone(newest.id)).toEqual({ phone: neighbour });
    });
  });
}
