import { afterAll, beforeAll, expect, it, vi } from "vitest";

/**
 * A patient ring: it paces itself under every hourly floor (29 codes an hour to one country,
 * spread over four ranges, never entering one), hour after hour. The daily floors stop it. On
 * the send decision itself, with a fake clock, at the defaults.
 */
delete process.env.FRAUD_RANGE_FLOOR;
delete process.env.FRAUD_COUNTRY_FLOOR;
delete process.env.FRAUD_RANGE_DAY_FLOOR;
delete process.env.FRAUD_COUNTRY_DAY_FLOOR;

let limits: typeof import("@/lib/defenses/limits");
let config: typeof import("@/lib/config").config;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.UTC(2026, 11, 1, 0, 0, 0));
  [limits, { config }] = await Promise.all([import("@/lib/defenses/limits"), import("@/lib/config")]);
});

afterAll(() => {
  vi.useRealTimers();
  process.env.FRAUD_RANGE_FLOOR = "100000";
  process.env.FRAUD_COUNTRY_FLOOR = "1000000";
  process.env.FRAUD_RANGE_DAY_FLOOR = "1000000";
  process.env.FRAUD_COUNTRY_DAY_FLOOR = "10000000";
});

let sent = 0;
async function ringSend(range: string): Promise<string> {
  sent += 1;
  const phone = `${range}${String(sent).padStart(5, "0")}`;
  const network = `2001:db8:${(0x7000 + sent).toString(16)}`;
  try {
    await limits.decideSendBudgets(
      {
        knownDevice: false,
        safeListed: false,
        ipKeys: { address: `${network}::/64`, aggregate: `${network}::/48` },
        destination: { phone, country: "SG", prefix: phone.slice(0, -4), range },
      },
      {
        captcha: null,
        rulesCurrent: { key: "rules:version", equals: null },
        issuance: { key: `issuance:${phone}`, value: String(sent), ttlSeconds: 600 },
      },
      () => undefined,
    );
    return "sent";
  } catch (error) {
    return (error as { details?: { rule?: string } }).details?.rule ?? String(error);
  }
}

it("lets a ring that paces itself under the hourly floors through at most the country's daily floor", async () => {
  const start = Date.now();
  const outcomes = new Map<string, number>();
  for (let hour = 0; hour < 24; hour += 1) {
    for (let slot = 0; slot < 29; slot += 1) {
      vi.setSystemTime(start + hour * 3_600_000 + slot * 124_000);
      const outcome = await ringSend(["+65812", "+65823", "+65834", "+65845"][slot % 4]!);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
  }
  const admitted = outcomes.get("sent") ?? 0;
  // 696 attempts: without the daily floors every one got through.
  expect(admitted).toBeLessThanOrEqual(config.fraud.countryDayFloor.value);
  expect(admitted).toBeGreaterThan(config.fraud.countryFloor.value);
  expect(outcomes.get("fraud.country")).toBe(696 - admitted);
});
