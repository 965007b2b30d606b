import { afterAll, describe, expect, it } from "vitest";
import { config } from "@/lib/config";
import type { TrafficOutcome } from "@/lib/events/types";
import type { StoreBackend } from "@/lib/store/types";
import { eventLogOf } from "../support/event-log";
import { contractBackends } from "../support/backends";

/**
 * The traffic counts of the throttle event log (per country, per number range, the backtest
 * records): one contract on the three backends, as tests/integration/store-contract.test.ts.
 */
const { redisReachable, backends, close: closeBridge } = await contractBackends();
const settings = { capacity: 1000, phoneRetentionMs: 3_600_000, trafficRecords: 50 };
const opened: StoreBackend[] = [];

afterAll(async () => {
  await Promise.all(opened.map((backend) => backend.close()));
  await closeBridge();
});

it("runs the Redis suites wherever Redis is reachable, and CI always has it", () => {
  if (process.env.CI) expect(redisReachable, "CI must run the Redis suites").toBe(true);
});

let sequence = 0;
function outcome(
  kind: TrafficOutcome["outcome"],
  at: number,
  destination: { country: string | null; range: string },
  priceMills = kind === "sent" ? 100 : 0,
): TrafficOutcome {
  sequence += 1;
  return {
    outcome: kind,
    at,
    ...destination,
    prefix: `${destination.range}0000`,
    subnet: "203.0.113.0/24",
    pendingId: `pending-${sequence}`,
    priceMills,
  };
}

for (const { name, available, create } of backends) {
  describe.runIf(available)(`traffic counts: ${name}`, () => {
    const backend = create();
    opened.push(backend);
    const log = () => eventLogOf(backend, settings);

    it("counts sends, verified codes and spend per country, per minute and per hour", async () => {
      const now = Date.now();
      const singapore = { country: "SG", range: "+6581" };
      const indonesia = { country: "ID", range: "+62812" };
      const nowhere = { country: null, range: "+8821" };
      await log().recordMany(
        [],
        [
          ...[0, 1, 2].map(() => outcome("sent", now, singapore, 40)),
          outcome("verified", now, singapore),
          outcome("verified", now, singapore),
          ...[0, 1, 2, 3, 4].map(() => outcome("sent", now, indonesia, 300)),
          outcome("sent", now, nowhere),
        ],
      );
      const expected = {
        SG: { sent: 3, verified: 2, spendMills: 120 },
        ID: { sent: 5, verified: 0, spendMills: 1500 },
        "??": { sent: 1, verified: 0, spendMills: 100 },
      };
      const minutes = await log().traffic({ granularity: "minute", buckets: 60, now });
      expect(minutes.buckets).toHaveLength(60);
      expect(minutes.buckets.at(-1)!.countries).toEqual(expected);
      expect(minutes.buckets.at(-2)!.countries).toEqual({});
      const hours = await log().traffic({ granularity: "hour", buckets: 24, now });
      expect(hours.buckets).toHaveLength(24);
      expect(hours.buckets.at(-1)!.countries).toEqual(expected);
      expect(hours.ranges).toEqual([
        { range: "+62812", sent: 5, verified: 0 },
        { range: "+6581", sent: 3, verified: 2 },
        { range: "+8821", sent: 1, verified: 0 },
      ]);
      // The sends and verified codes still count in the overview's totals.
      const totals = await log().aggregate({ granularity: "minute", buckets: 1, now });
      expect(totals.buckets[0]!.counts).toMatchObject({ "@sent": 9, "@verified": 2 });
    });

    it("keeps a heavy range and its verified codes on top of a flood of new ranges, in a bounded set", async () => {
      // A fixed past hour of its own, so the other tests' ranges are not in it.
      const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 3_600_000;
      const ring = { country: "ID", range: "+62899" };
      const range = (index: number) => ({ country: "ID", range: `+6281${String(index).padStart(4, "0")}` });
      await log().recordMany(
        [],
        Array.from({ length: 150 }, (_, index) => outcome("sent", hour, range(index))),
      );
      for (let round = 1; round <= 30; round += 1) {
        await log().recordMany(
          [],
          [
            ...Array.from({ length: 5 }, () => outcome("sent", hour + round, ring)),
            ...Array.from({ length: 3 }, () => outcome("verified", hour + round, ring)),
            ...Array.from({ length: 50 }, (_, index) =>
              outcome("sent", hour + round, range(1000 + round * 50 + index)),
            ),
          ],
        );
      }
      const { ranges } = await log().traffic({ granularity: "hour", buckets: 1, now: hour });
      expect(ranges).toHaveLength(config.traffic.rangesShown.value);
      expect(ranges[0]!.range).toBe("+62899");
      expect(ranges[0]!.sent).toBeGreaterThanOrEqual(150);
      expect(ranges[0]!.verified).toBe(90);
      // Every other range has one true send: what it shows beyond that, it inherited.
      const total = ranges.reduce((sum, entry) => sum + entry.sent, 0);
      expect(total).toBeLessThanOrEqual(150 + 30 * 55);
    });

    it("keeps the newest traffic records, oldest first from a given time", async () => {
      const start = Date.now() - 10 * 86_400_000;
      const ring = { country: "PH", range: "+63917" };
      const outcomes = Array.from({ length: 300 }, (_, index) =>
        outcome(index % 3 === 2 ? "verified" : "sent", start + index * 1000, ring, index % 3 === 2 ? 0 : 200),
      );
      for (let index = 0; index < outcomes.length; index += 100)
        await log().recordMany([], outcomes.slice(index, index + 100));

      const records = await log().trafficRecords({ from: 0, limit: 1000 });
      // Capped (Redis trims whole stream nodes, so it may keep up to one node more than asked).
      expect(records.length).toBeGreaterThanOrEqual(settings.trafficRecords);
      expect(records.length).toBeLessThanOrEqual(200);
      const kept = outcomes.slice(-records.length);
      expect(records).toEqual(
        kept.map((sent) =>
          sent.outcome === "verified"
            ? { outcome: "verified", at: sent.at, pendingId: sent.pendingId }
            : sent,
        ),
      );

      const last = outcomes.at(-1)!;
      const lastTen = await log().trafficRecords({ from: last.at - 9000, limit: 1000 });
      expect(lastTen.map((record) => record.at)).toEqual(outcomes.slice(-10).map((sent) => sent.at));
      await expect(log().trafficRecords({ from: 0, limit: 3 })).resolves.toHaveLength(3);
    });
  });
}
