import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { solveAltcha } from "../support/altcha";

/**
 * The fraud budgets at their defaults, through the real send and verify routes: a pumping ring
 * that rotates a fresh network and a fresh prefix per request and solves the proof of work, but
 * never enters a code. The vitest config raises the floors for the other suites; here they are
 * the defaults again.
 */
// Auth.js's signIn needs a Next.js request scope: see tests/support/auth-stand-in.ts.
vi.mock("@/lib/auth", () => import("../support/auth-stand-in"));

delete process.env.FRAUD_RANGE_FLOOR;
delete process.env.FRAUD_COUNTRY_FLOOR;

type Modules = {
  send: (request: NextRequest) => Promise<Response>;
  verify: (request: NextRequest) => Promise<Response>;
  captcha: () => Promise<string>;
  emulator: import("@/lib/eight-by-eight/sandbox/emulator").EightByEightEmulator;
  knownDeviceCookieFor: typeof import("../support/accounts").knownDeviceCookieFor;
  log: import("@/lib/events/types").ThrottleEventLog;
  flush: () => Promise<void>;
  budgets: import("@/lib/store/types").BudgetStore;
  store: import("@/lib/store/types").KeyValueStore;
  activeAlertKey: typeof import("@/lib/alerts").activeAlertKey;
  config: typeof import("@/lib/config").config;
};
let modules: Modules;

beforeAll(async () => {
  const [send, verify, captcha, eightByEight, accounts, events, store, alerts, config] = await Promise.all([
    import("@/app/api/otp/send/route"),
    import("@/app/api/otp/verify/route"),
    import("@/lib/defenses/captcha"),
    import("@/lib/eight-by-eight"),
    import("../support/accounts"),
    import("@/lib/events"),
    import("@/lib/store"),
    import("@/lib/alerts"),
    import("@/lib/config"),
  ]);
  modules = {
    send: send.POST,
    verify: verify.POST,
    captcha: async () => solveAltcha(await captcha.createAltchaChallenge()),
    emulator: (await eightByEight.getSandboxEmulator())!,
    knownDeviceCookieFor: accounts.knownDeviceCookieFor,
    log: events.getThrottleEventLog(),
    flush: events.flushThrottleEvents,
    budgets: store.getBackend().budgets,
    store: store.getStore(),
    activeAlertKey: alerts.activeAlertKey,
    config: config.config,
  };
});

afterAll(() => {
  process.env.FRAUD_RANGE_FLOOR = "100000";
  process.env.FRAUD_COUNTRY_FLOOR = "1000000";
});

let network = 0;
/** A network of its own per request: what a residential proxy pool gives a ring. */
const freshNetwork = () => `2001:db8:${(0x4000 + (network += 1)).toString(16)}::1`;

async function sendCode(phone: string, cookie = "") {
  const captcha = await modules.captcha();
  return modules.send(
    new NextRequest("http://localhost/api/otp/send", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Forwarded-For": freshNetwork(), Cookie: cookie },
      body: JSON.stringify({ phone, captcha }),
    }),
  );
}

/**
 * Numbers of one range (+65 812 and 5 more digits), rotating over the range's ten prefixes (a
 * prefix is the number without its last 4 digits), so no per-prefix limit stops the ring.
 */
const inRange = (range: string, seed: number) =>
  `${range}${seed % 10}${String(1000 + Math.floor(seed / 10) * 7 + (seed % 7)).slice(-4)}`;

describe("a pumping ring concentrated in one number range", () => {
  const ring = "+65812";
  const attempts = 40;
  const statuses: number[] = [];

  beforeAll(async () => {
    for (let index = 0; index < attempts; index += 1) {
      statuses.push((await sendCode(inRange(ring, index))).status);
    }
    await modules.flush();
  });

  it("gets at most the range's floor of codes through, then is refused like any limit", async () => {
    const floor = modules.config.fraud.rangeFloor.value;
    const through = statuses.filter((status) => status === 202).length;
    expect(through).toBeLessThanOrEqual(floor);
    expect(through).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 429)).toHaveLength(attempts - through);
    const refused = await sendCode(inRange(ring, 99));
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toEqual({
      code: "rate_limited",
      message: "Too many code requests. Please wait a while and try again.",
    });
  });

  it("records the automatic block with the evidence that set it off, and alerts the operator", async () => {
    const { events } = await modules.log.list({ limit: 100, filters: { rule: "fraud.range" } });
    const block = events.find((event) => event.decision === "auto_block");
    expect(block?.evidence).toMatchObject({
      level: `range ${ring}`,
      verified: 0,
      strike: 1,
      blockedSeconds: modules.config.fraud.firstBlock.value,
      windowSeconds: modules.config.fraud.window.value,
    });
    expect(Number(block!.evidence!.sends)).toBeGreaterThanOrEqual(modules.config.fraud.rangeFloor.value);
    expect(events.filter((event) => event.decision === "refused").length).toBeGreaterThan(0);
    const marker = modules.activeAlertKey("auto_block", `range ${ring}`);
    await expect.poll(() => modules.store.get(marker)).not.toBeNull();
    const [listed] = await modules.budgets.listBlocks(10);
    expect(listed).toMatchObject({ label: `range ${ring}`, strike: 1 });
  });

  it("still sends the code of a browser that signed in with its number before", async () => {
    const returning = inRange(ring, 500);
    const device = await modules.knownDeviceCookieFor(returning);
    const response = await sendCode(returning, `${device.name}=${device.value}`);
    expect(response.status).toBe(202);
    expect(modules.emulator.listMessages(returning)).toHaveLength(1);
  });

  it("sends codes to other ranges of the country", async () => {
    for (const [index, range] of ["+65913", "+65823", "+65967"].entries()) {
      expect((await sendCode(inRange(range, index))).status).toBe(202);
    }
  });
});

describe("a range whose people enter their codes", () => {
  it("keeps sending when every code is verified, far past the floor", async () => {
    const range = "+65934";
    for (let index = 0; index < 20; index += 1) {
      const phone = inRange(range, index);
      const sent = await sendCode(phone);
      expect(sent.status, `send ${index}`).toBe(202);
      const cookie = sent.headers.get("set-cookie")!.split(";")[0]!;
      const verified = await modules.verify(
        new NextRequest("http://localhost/api/otp/verify", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Forwarded-For": freshNetwork(), Cookie: cookie },
          body: JSON.stringify({ code: modules.emulator.listMessages(phone)[0]!.code }),
        }),
      );
      expect(verified.status).toBe(200);
    }
  });
});
