import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { POST as send } from "@/app/api/otp/send/route";
import { POST as verify } from "@/app/api/otp/verify/route";
import { POST as advance } from "@/app/api/sandbox/sessions/advance/route";
import { createAltchaChallenge } from "@/lib/defenses/captcha";
import { getSandboxEmulator } from "@/lib/eight-by-eight";
import type { EightByEightEmulator } from "@/lib/eight-by-eight/sandbox/emulator";
import type { LimitName } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { getBackend, getStore } from "@/lib/store";
import { knownDeviceCookieFor } from "../support/accounts";
import { solveAltcha } from "../support/altcha";
import { signedIn as sessions } from "../support/auth-stand-in";

/**
 * A code signs in only the browser that asked for it (issue: account takeover through a shared
 * 8x8 session, lockout through wrong checks). Each "browser" is a cookie jar and a client address;
 * the attacker never sees the victim's SMS.
 */

// Auth.js's signIn needs a Next.js request scope: see tests/support/auth-stand-in.ts.
vi.mock("@/lib/auth", () => import("../support/auth-stand-in"));

let emulator: EightByEightEmulator;
beforeAll(async () => {
  emulator = (await getSandboxEmulator())!;
});

let counter = 0;
const nextNumber = () => `+658${String(5_000_000 + (counter += 1) * 15_485).slice(-7)}`;

class Browser {
  readonly cookies = new Map<string, string>();
  /** Numbers this browser was signed in as. */
  readonly signedInAs: string[] = [];
  constructor(readonly ip: string) {}

  private request(path: string, body: unknown) {
    return new NextRequest(`http://localhost${path}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Forwarded-For": this.ip,
        Cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "),
      },
      body: JSON.stringify(body),
    });
  }

  private keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair!.split("=");
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name!);
      else this.cookies.set(name!, value.join("="));
    }
    return response;
  }

  async send(phone: string) {
    const captcha = await solveAltcha(await createAltchaChallenge());
    return this.keep(await send(this.request("/api/otp/send", { phone, captcha })));
  }

  async check(code: string) {
    const before = new Set(sessions.keys());
    const response = this.keep(await verify(this.request("/api/otp/verify", { code })));
    for (const [grant, phone] of sessions) if (!before.has(grant)) this.signedInAs.push(phone);
    return response;
  }

  signedIn() {
    return this.signedInAs.length > 0;
  }
}

let address = 0;
const browser = () => new Browser(`2001:db8:a${(address += 1).toString(16)}::1`);

/** The newest code the sandbox sent to `phone` (what the victim reads on their phone). */
const latestCode = (phone: string) => emulator.listMessages(phone)[0]!.code;
const otherCode = (code: string) => (code === "000000" ? "111111" : "000000");

/** As if the window of limit `name` for `identifier` had passed. */
async function forgetLimit(name: LimitName, identifier: string) {
  await getBackend().budgets.reset([
    { kind: "window", key: `limit:${name}:${identifier}`, ...getEnv().limits[name] },
  ]);
}

/** Lets the resend delay (up to a third code) and 8x8's resend interval pass, inside the code's 5 minutes. */
async function timePasses(phone: string, seconds = 130) {
  const response = await advance(
    new NextRequest("http://localhost/api/sandbox/sessions/advance", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ to: phone, seconds }),
    }),
  );
  expect(response.status).toBe(200);
}

describe("a code signs in only the browser that owns it", () => {
  it("attacker first: the attacker's earlier code request never yields the victim's session", async () => {
    const phone = nextNumber();
    const attacker = browser();
    const victim = browser();
    expect((await attacker.send(phone)).status).toBe(202);
    await timePasses(phone);

    expect((await victim.send(phone)).status).toBe(202);
    const victimCode = latestCode(phone);
    expect((await victim.check(victimCode)).status).toBe(200);
    expect(victim.signedIn()).toBe(true);

    const checksBefore = emulator.requestCounts.check;
    for (const guess of [otherCode(victimCode), victimCode, "123456"]) {
      const response = await attacker.check(guess);
      expect(response.status).not.toBe(200);
    }
    expect(attacker.signedIn()).toBe(false);
    // Refused before 8x8: the attacker cannot even spend attempts on the victim's code.
    expect(emulator.requestCounts.check).toBe(checksBefore);
  });

  it("attacker first: the victim's newer code takes over, and the attacker cannot spend its attempts", async () => {
    const phone = nextNumber();
    const attacker = browser();
    const victim = browser();
    expect((await attacker.send(phone)).status).toBe(202);
    await timePasses(phone);
    expect((await victim.send(phone)).status).toBe(202);
    const victimCode = latestCode(phone);

    const checksBefore = emulator.requestCounts.check;
    const statuses: number[] = [];
    for (let index = 0; index < 8; index += 1) {
      const response = await attacker.check(otherCode(victimCode));
      statuses.push(response.status);
      if (index === 0) expect((await response.json()).error.code).toBe("code_superseded");
    }
    // Refused before 8x8; the refusals spend the attacker's own check budget (5 per pending
    // verification), so polling for the victim's sign-in is bounded too.
    expect(statuses).toEqual([409, 409, 409, 409, 409, 429, 429, 429]);
    expect(emulator.requestCounts.check).toBe(checksBefore);

    expect((await victim.check(victimCode)).status).toBe(200);
    expect(victim.signedIn()).toBe(true);
    expect(attacker.signedIn()).toBe(false);
  });

  it("victim first: a later code request by the attacker never yields the victim's session", async () => {
    const phone = nextNumber();
    const victim = browser();
    const attacker = browser();
    expect((await victim.send(phone)).status).toBe(202);
    const firstCode = latestCode(phone);
    await timePasses(phone);

    // The attacker's request sends the victim a new code and replaces the first one.
    expect((await attacker.send(phone)).status).toBe(202);
    const stolenRequestCode = latestCode(phone);
    const superseded = await victim.check(firstCode);
    expect(superseded.status).toBe(409);
    expect((await superseded.json()).error.code).toBe("code_superseded");

    // The victim asks again and signs in with the code their phone receives.
    await timePasses(phone);
    expect((await victim.send(phone)).status).toBe(202);
    expect((await victim.check(latestCode(phone))).status).toBe(200);
    expect(victim.signedIn()).toBe(true);

    for (const guess of [firstCode, stolenRequestCode, latestCode(phone), "000000"]) {
      expect((await attacker.check(guess)).status).not.toBe(200);
    }
    expect(attacker.signedIn()).toBe(false);
  });

  it("signs in at most once per code issuance, even though 8x8 keeps answering VERIFIED", async () => {
    const phone = nextNumber();
    const owner = browser();
    expect((await owner.send(phone)).status).toBe(202);
    const code = latestCode(phone);
    const replay = new Map(owner.cookies);
    expect((await owner.check(code)).status).toBe(200);

    // 8x8 (and the sandbox, faithfully) still answers VERIFIED for that session, whatever the code.
    const sessionId = emulator.listMessages(phone)[0]!.sessionId;
    const reply = emulator.handle(
      "GET",
      `/api/v2/subaccounts/${emulator.subAccountId}/sessions/${sessionId}`,
      new URLSearchParams({ code: otherCode(code) }),
      `Bearer ${emulator.apiKey}`,
      "",
    );
    expect(reply.body).toMatchObject({ status: "VERIFIED" });

    const again = browser();
    for (const [name, value] of replay) again.cookies.set(name, value);
    expect((await again.check(otherCode(code))).status).toBe(400);
    expect(again.signedIn()).toBe(false);
  });
});

describe("a slow send never takes over a later one", () => {
  it("refuses the attacker even when its pending verification is written after the victim signed in", async () => {
    const phone = nextNumber();
    const attacker = browser();
    const victim = browser();
    // Hold the attacker's pending-verification write until the victim has signed in.
    const kv = getStore();
    const originalSet = kv.set.bind(kv);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = true;
    kv.set = (async (key: string, value: unknown, ttl?: number) => {
      if (holding && key.startsWith("pending:")) {
        holding = false;
        await held;
      }
      return originalSet(key, value, ttl);
    }) as typeof kv.set;
    try {
      const attackerSend = attacker.send(phone);
      await expect.poll(() => emulator.listMessages(phone).length).toBe(1);
      await timePasses(phone, 31);
      expect((await victim.send(phone)).status).toBe(202);
      expect((await victim.check(latestCode(phone))).status).toBe(200);
      release();
      expect((await attackerSend).status).toBe(202);
    } finally {
      kv.set = originalSet;
    }
    // 8x8 still answers VERIFIED for the session; the attacker's claim was overtaken when the
    // victim's send was admitted, so any code is refused before 8x8.
    for (const guess of ["000000", "123456"]) expect((await attacker.check(guess)).status).not.toBe(200);
    expect(attacker.signedIn()).toBe(false);
  });
});

describe("lockout protection for code checks", () => {
  it("lets a returning browser sign in at once after an attacker spent the number's check budget", async () => {
    const phone = nextNumber();
    const attacker = browser();
    // The attacker asks for codes to the victim's number and checks wrong ones: five fail the
    // first 8x8 session, and after a new code each wrong check makes the next wait longer.
    expect((await attacker.send(phone)).status).toBe(202);
    for (let index = 0; index < 5; index += 1) await attacker.check(otherCode(latestCode(phone)));
    await timePasses(phone);
    expect((await attacker.send(phone)).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await attacker.check(otherCode(latestCode(phone)))).status).toBe(400);
    expect((await attacker.check(otherCode(latestCode(phone)))).status).toBe(429);

    // A browser that signed in with this number before gets a code and signs in at once — once
    // 8x8's own resend interval (30 s) after the attacker's last code has passed; our growing
    // resend delay (60 s by now) and the check delay still run, and the reserve covers both.
    await timePasses(phone, 31);
    const victim = browser();
    const device = await knownDeviceCookieFor(phone);
    victim.cookies.set(device.name, device.value);
    expect((await victim.send(phone)).status).toBe(202);
    expect((await victim.check(latestCode(phone))).status).toBe(200);
    expect(victim.signedIn()).toBe(true);
  });

  it("charges the number nothing for a send that another limit refuses", async () => {
    // Fill the number's prefix (10 codes an hour), from addresses of its own.
    const phone = nextNumber();
    const prefix = phone.slice(0, -4);
    for (let index = 0; index < 10; index += 1) {
      const neighbour = `${prefix}${String(9000 + index).padStart(4, "0")}`;
      expect((await browser().send(neighbour)).status).toBe(202);
    }
    // An attacker's sends to the victim's number are refused by the prefix limit...
    for (let index = 0; index < 5; index += 1) {
      await timePasses(phone);
      expect((await browser().send(phone)).status).toBe(429);
    }
    // ...and when the prefix's hour has passed, the number's own budget (3 codes in 15 minutes)
    // is whole: the refusals spent none of it.
    await forgetLimit("send.prefix", prefix);
    for (let index = 0; index < 3; index += 1) {
      await timePasses(phone);
      expect((await browser().send(phone)).status).toBe(202);
    }
  });

  it("spends nothing on checks refused by the growing delay", async () => {
    const phone = nextNumber();
    const person = browser();
    expect((await person.send(phone)).status).toBe(202);
    for (let index = 0; index < 5; index += 1) await person.check(otherCode(latestCode(phone)));
    // The fifth wrong code failed the 8x8 session; a new code, then impatient retries.
    await timePasses(phone);
    expect((await person.send(phone)).status).toBe(202);
    const code = latestCode(phone);
    for (let index = 0; index < 10; index += 1) expect((await person.check(code)).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await person.check(code)).status).toBe(200);
  });
});

describe("growing delays under concurrency", () => {
  it("sends one code when 50 requests for one number arrive together from 50 browsers", async () => {
    const phone = nextNumber();
    const browsers = Array.from({ length: 50 }, () => browser());
    const statuses = await Promise.all(browsers.map(async (each) => (await each.send(phone)).status));
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(emulator.listMessages(phone)).toHaveLength(1);
  });
});

describe("what a refusal tells another browser", () => {
  it("tells a browser the same resend time for a fresh number and for one that got codes today", async () => {
    const fresh = nextNumber();
    const used = nextNumber();
    for (let index = 0; index < 2; index += 1) {
      expect((await browser().send(used)).status).toBe(202);
      await timePasses(used);
    }
    const waits = [];
    for (const phone of [fresh, used]) {
      const response = await browser().send(phone);
      expect(response.status).toBe(202);
      const { resendAfter } = await response.json();
      waits.push(Math.round((new Date(resendAfter).getTime() - Date.now()) / 1000));
    }
    expect(waits).toEqual([getEnv().otp.resendIntervalSeconds, getEnv().otp.resendIntervalSeconds]);
  });

  it("answers the same Retry-After for a number's resend delay, however long ago its code was sent", async () => {
    const early = nextNumber();
    const late = nextNumber();
    expect((await browser().send(early)).status).toBe(202);
    await timePasses(early, 20);
    expect((await browser().send(late)).status).toBe(202);

    const earlyRefusal = await browser().send(early);
    const lateRefusal = await browser().send(late);
    expect(earlyRefusal.status).toBe(429);
    expect(lateRefusal.status).toBe(429);
    expect(earlyRefusal.headers.get("retry-after")).toBe(lateRefusal.headers.get("retry-after"));
    expect(Number(earlyRefusal.headers.get("retry-after"))).toBe(getEnv().otp.resendIntervalSeconds);
  });
});
