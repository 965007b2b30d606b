import { NextRequest } from "next/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { solveAltcha } from "../support/altcha";

/**
 * Shadow mode and money: with the fraud budgets in SHADOW_RULES a ring is refused by nothing but
 * is recorded as what they would have refused; the estimated spend to one country still stops it.
 */
delete process.env.FRAUD_RANGE_FLOOR;
delete process.env.FRAUD_COUNTRY_FLOOR;
process.env.SHADOW_RULES = "fraud.range,fraud.country";
// 1.00 USD an hour to one country: 25 codes to Singapore at the example price of 0.04 USD.
process.env.SPEND_BUDGETS_USD = "country.hour=1";

type Modules = {
  send: (request: NextRequest) => Promise<Response>;
  captcha: () => Promise<string>;
  log: import("@/lib/events/types").ThrottleEventLog;
  flush: () => Promise<void>;
  alertActive: (kind: "spend_budget", subject: string) => Promise<unknown>;
};
let modules: Modules;

beforeAll(async () => {
  const [send, captcha, events, alerts, store] = await Promise.all([
    import("@/app/api/otp/send/route"),
    import("@/lib/defenses/captcha"),
    import("@/lib/events"),
    import("@/lib/alerts"),
    import("@/lib/store"),
  ]);
  modules = {
    send: send.POST,
    captcha: async () => solveAltcha(await captcha.createAltchaChallenge()),
    log: events.getThrottleEventLog(),
    flush: events.flushThrottleEvents,
    alertActive: (kind, subject) => store.getStore().get(alerts.activeAlertKey(kind, subject)),
  };
});

afterAll(() => {
  process.env.FRAUD_RANGE_FLOOR = "100000";
  process.env.FRAUD_COUNTRY_FLOOR = "1000000";
  delete process.env.SHADOW_RULES;
  delete process.env.SPEND_BUDGETS_USD;
});

it("refuses nothing by a rule in shadow mode, records what it would have refused, and stops at the spend budget", async () => {
  const statuses: number[] = [];
  for (let index = 0; index < 30; index += 1) {
    const phone = `+65812${index % 10}${String(2000 + index)}`;
    const response = await modules.send(
      new NextRequest("http://localhost/api/otp/send", {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Forwarded-For": `2001:db8:${(0x6000 + index).toString(16)}::1`,
        },
        body: JSON.stringify({ phone, captcha: await modules.captcha() }),
      }),
    );
    statuses.push(response.status);
    if (response.status === 429) {
      expect((await response.json()).error.message).toBe(
        "We're sending too many codes right now. Please try again later.",
      );
    }
  }
  // 25 × 0.04 USD = 1.00 USD: the 26th would exceed the hour's budget for Singapore.
  expect(statuses.filter((status) => status === 202)).toHaveLength(25);
  expect(statuses.slice(25)).toEqual([429, 429, 429, 429, 429]);

  await modules.flush();
  const shadow = await modules.log.list({ limit: 100, filters: { rule: "fraud.range" } });
  expect(shadow.events.length).toBeGreaterThan(0);
  expect(shadow.events.every((event) => event.decision === "shadow")).toBe(true);
  const spend = await modules.log.list({ limit: 100, filters: { rule: "spend.country.hour" } });
  expect(spend.events.map((event) => event.decision)).toEqual(Array(5).fill("refused"));
  // The operator hears of it once.
  await expect.poll(() => modules.alertActive("spend_budget", "spend.country.hour SG")).not.toBeNull();
});
