import { beforeAll, describe, expect, it, vi } from "vitest";
import { replayTraffic, runBacktest } from "@/lib/admin/backtest";
import { currentSendPolicySettings, type SendPolicySettings } from "@/lib/defenses/limits";
import { getThrottleEventLog } from "@/lib/events";
import type { TrafficOutcome } from "@/lib/events/types";

/**
 * A backtest replays stored traffic against proposed settings: here a synthetic history of real
 * people in Singapore (most enter their codes) and a pumping ring on one Indonesian range (nobody
 * does), with one real Indonesian user caught in the ring's range.
 */
const ADMIN = "+6581119955";
const session = vi.hoisted(() => {
  process.env.ADMIN_PHONE_NUMBERS = "+6581119955";
  return { current: null as { user: { phone: string; signedInAt: number } } | null };
});
vi.mock("@/lib/auth", () => ({ auth: async () => session.current }));

const HOUR = 3_600_000;
/** Two days ago, at the start of an hour: every send of the history falls in one hourly window. */
const t0 = Math.floor((Date.now() - 48 * HOUR) / HOUR) * HOUR;

function history(): TrafficOutcome[] {
  const outcomes: TrafficOutcome[] = [];
  const send = (
    at: number,
    id: string,
    where: Pick<TrafficOutcome, "country" | "range" | "prefix" | "subnet">,
  ) =>
    outcomes.push({
      outcome: "sent",
      at,
      ...where,
      pendingId: id,
      priceMills: where.country === "SG" ? 40 : 300,
    });
  const verify = (
    at: number,
    id: string,
    where: Pick<TrafficOutcome, "country" | "range" | "prefix" | "subnet">,
  ) => outcomes.push({ outcome: "verified", at, ...where, pendingId: id, priceMills: 0 });
  // 40 people in Singapore, one a minute from their own networks; 36 enter their code 30 s later.
  for (let index = 0; index < 40; index += 1) {
    const where = {
      country: "SG",
      range: "+6581",
      prefix: `+65810${String(index).padStart(2, "0")}`,
      subnet: `198.51.${index}.0/24`,
    };
    send(t0 + index * 60_000, `sg-${index}`, where);
    if (index % 10 !== 9) verify(t0 + index * 60_000 + 30_000, `sg-${index}`, where);
  }
  // The ring: 30 sends to +62812, every 10 s from 30 min on, each from its own network; none verified.
  for (let index = 0; index < 30; index += 1) {
    send(t0 + 1_800_000 + index * 10_000, `ring-${index}`, {
      country: "ID",
      range: "+62812",
      prefix: `+6281230${String(index).padStart(2, "0")}`,
      subnet: `2001:db8:${index}::/48`,
    });
  }
  // A real user in the ring's range, just after it: enters the code.
  const user = { country: "ID", range: "+62812", prefix: "+628129999", subnet: "203.0.113.0/24" };
  send(t0 + 1_800_000 + 305_000, "id-user", user);
  verify(t0 + 1_800_000 + 335_000, "id-user", user);
  return outcomes.sort((a, b) => a.at - b.at);
}

/** The fraud budgets as this test replays them (the test environment raises the floors of its own). */
function atDefaults(): SendPolicySettings {
  return {
    ...currentSendPolicySettings(),
    fraud: {
      rangeFloor: 8,
      countryFloor: 25,
      rangeDayFloor: 1000,
      countryDayFloor: 1000,
      rangeSlack: 2,
      countrySlack: 2,
    },
  };
}

beforeAll(async () => {
  await getThrottleEventLog().recordMany([], history());
});

describe("backtests", () => {
  it("refuses a ring's range after its floor at the default settings, and names the real user it hurts", async () => {
    const records = await getThrottleEventLog().trafficRecords({ from: t0, limit: 1000 });
    expect(records).toHaveLength(40 + 36 + 30 + 2);
    // 8 ring sends pass (the floor), the 9th blocks the range, every later send in it is refused.
    await expect(replayTraffic(records, atDefaults())).resolves.toEqual({
      sends: 71,
      verified: 37,
      spendMills: 40 * 40 + 31 * 300,
      refused: 23,
      refusedByRule: { "fraud.range": 23 },
      refusedLaterVerified: 1,
      savedMills: 22 * 300,
      blocksByRule: { "fraud.range": 1 },
    });
  });

  it("refuses what a country's hourly spend budget cannot pay, wherever it goes", async () => {
    const records = await getThrottleEventLog().trafficRecords({ from: t0, limit: 1000 });
    const settings = currentSendPolicySettings();
    // 1.50 USD an hour per country: 5 sends to Indonesia (0.30), 37 to Singapore (0.04).
    const tight = { ...settings, spendMills: { ...settings.spendMills, "country.hour": 1500 } };
    await expect(replayTraffic(records, tight)).resolves.toEqual({
      sends: 71,
      verified: 37,
      spendMills: 40 * 40 + 31 * 300,
      refused: 25 + 1 + 3,
      refusedByRule: { "spend.country.hour": 29 },
      // The Indonesian user, and Singapore's 38th and 39th senders.
      refusedLaterVerified: 3,
      savedMills: 25 * 300 + 40,
      blocksByRule: {},
    });
  });

  it("reports a proposal beside the settings in force, for admins only", async () => {
    session.current = null;
    await expect(runBacktest({ days: 3 })).rejects.toMatchObject({ code: "unauthorized" });
    session.current = { user: { phone: ADMIN, signedInAt: Date.now() } };
    const report = await runBacktest({
      days: 3,
      rangeFloor: 8,
      countryFloor: 25,
      rangeSlack: 2,
      countrySlack: 2,
    });
    expect(report).toMatchObject({ days: 3, records: 108, capped: false });
    expect(report.proposal).toMatchObject({ refused: 23, refusedLaterVerified: 1, savedMills: 6600 });
    // The test environment's floors are far above the ring: the settings in force refuse nothing.
    expect(report.current).toMatchObject({ sends: 71, refused: 0, savedMills: 0 });
    // A day back holds none of the history.
    expect((await runBacktest({ days: 1 })).proposal.sends).toBe(0);
  });
});
