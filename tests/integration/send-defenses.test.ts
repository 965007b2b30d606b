import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as sendWithGet, POST as send } from "@/app/api/otp/send/route";
import { POST as verify } from "@/app/api/otp/verify/route";
import { createAltchaChallenge } from "@/lib/defenses/captcha";
import { getSandboxEmulator } from "@/lib/eight-by-eight";
import type { EightByEightEmulator } from "@/lib/eight-by-eight/sandbox/emulator";
import { growingDelays } from "@/lib/config";
import { ageResendDelay } from "@/lib/defenses/limits";
import { backoffDelayMs } from "@/lib/store/budgets";
import { getDatabase } from "@/lib/db";
import { recordVerifiedSignIn } from "@/lib/accounts/users";
import { knownDeviceCookieFor } from "../support/accounts";
import { solveAltcha } from "../support/altcha";
import { getThrottleEventLog } from "@/lib/events";

let emulator: EightByEightEmulator;
beforeAll(async () => {
  emulator = (await getSandboxEmulator())!;
});

let counter = 0;
const nextNumber = () => `+659${String(3_000_000 + (counter += 1) * 7_919).slice(-7)}`;
const nextClientIp = () => `2001:db8:5:${(counter += 1).toString(16)}::1`;
const solved = async () => solveAltcha(await createAltchaChallenge());

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return new NextRequest(`http://localhost${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": nextClientIp(), ...headers },
    body: JSON.stringify(body),
  });
}

/** A send whose body is given as it travels (text or a stream), not as JSON to encode. */
function rawSend(clientIp: string, body: string | ReadableStream<Uint8Array>) {
  return new NextRequest("http://localhost/api/otp/send", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": clientIp },
    body,
    duplex: "half",
  } as ConstructorParameters<typeof NextRequest>[1]);
}

async function sendTo(
  phone: string,
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {},
) {
  const response = await send(post("/api/otp/send", { phone, captcha: await solved(), ...extra }, headers));
  return { response, status: response.status, body: await response.json() };
}

describe("CAPTCHA and invisible checks", () => {
  it("refuses a missing, tampered or replayed proof of work with 403 captcha_failed before 8x8", async () => {
    const before = emulator.requestCounts.create;
    const missing = await send(post("/api/otp/send", { phone: nextNumber() }));
    const payload = await solved();
    const decoded = JSON.parse(Buffer.from(payload, "base64").toString());
    decoded.challenge.parameters.cost = 1;
    const tampered = await send(
      post("/api/otp/send", {
        phone: nextNumber(),
        captcha: Buffer.from(JSON.stringify(decoded)).toString("base64"),
      }),
    );
    const garbage = await send(post("/api/otp/send", { phone: nextNumber(), captcha: "not-a-payload" }));
    for (const response of [missing, tampered, garbage]) {
      expect(response.status).toBe(403);
      expect((await response.json()).error.code).toBe("captcha_failed");
    }
    expect(emulator.requestCounts.create).toBe(before);

    const first = await send(post("/api/otp/send", { phone: nextNumber(), captcha: payload }));
    const replay = await send(post("/api/otp/send", { phone: nextNumber(), captcha: payload }));
    expect(first.status).toBe(202);
    expect(replay.status).toBe(403);
    expect(emulator.requestCounts.create).toBe(before + 1);
  });

  it("refuses a filled-in honeypot field", async () => {
    const { status, body } = await sendTo(nextNumber(), {}, { website: "https://spam.example" });
    expect(status).toBe(403);
    expect(body.error.code).toBe("captcha_failed");
  });
});

describe("request hygiene", () => {
  it("refuses cross-site browser posts", async () => {
    const crossSite: Record<string, string>[] = [
      { Origin: "https://evil.example" },
      { "Sec-Fetch-Site": "cross-site" },
    ];
    for (const headers of crossSite) {
      const { status, body } = await sendTo(nextNumber(), headers);
      expect(status).toBe(403);
      expect(body.error).toEqual({
        code: "forbidden",
        message: "Requests from other sites are not accepted.",
      });
    }
    const sameOrigin = await sendTo(nextNumber(), {
      Origin: "http://localhost",
      "Sec-Fetch-Site": "same-origin",
    });
    expect(sameOrigin.status).toBe(202);
  });

  it("refuses a sender that spent its budget without reading its body: one that never ends is answered", async () => {
    // Its own /48: the other tests here share 2001:db8:5::/48 and its budget.
    const address = "2001:db8:55::1";
    for (let sent = 0; sent < 5; sent += 1) {
      expect((await sendTo(nextNumber(), { "X-Forwarded-For": address })).status).toBe(202);
    }
    expect((await sendTo(nextNumber(), { "X-Forwarded-For": address })).status).toBe(429);

    const malformed = rawSend(address, "{ not json");
    const endless = rawSend(
      address,
      new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('{"ph')) }),
    );
    const unanswered = new Promise<null>((resolve) => setTimeout(resolve, 3_000, null));
    for (const request of [malformed, endless]) {
      const response = await Promise.race([send(request), unanswered]);
      expect(response?.status).toBe(429);
      expect((await response!.json()).error.code).toBe("rate_limited");
    }
    // A sender still served has its body read: the same malformed body is a 400.
    const served = await send(rawSend(nextClientIp(), "{ not json"));
    expect(served.status).toBe(400);
    expect((await served.json()).error.code).toBe("bad_request");
  });

  it("answers other methods with 405 and Allow", async () => {
    const response = await sendWithGet();
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect((await response.json()).error.code).toBe("method_not_allowed");
  });
});

describe("destination screening", () => {
  it.each([
    ["+19005550123", "We can't send codes to this kind of number. Please use a mobile number."], // premium rate
    ["+18005550123", "We can't send codes to this kind of number. Please use a mobile number."], // toll free
    ["+6561234567", "We can't send codes to this kind of number. Please use a mobile number."], // fixed line
    ["+79123456789", "We can't send codes to numbers in Russia."], // outside the allowlist
  ])("refuses %s with 403 destination_blocked and a message a person understands", async (phone, message) => {
    const before = emulator.requestCounts.create;
    const { status, body } = await sendTo(phone);
    expect(status).toBe(403);
    expect(body.error).toEqual({ code: "destination_blocked", message, fields: { phone: message } });
    expect(emulator.requestCounts.create).toBe(before);
  });
});

describe("resend delay and lockout protection", () => {
  it("makes each code to a number wait twice as long as the one before", async () => {
    const resend = { kind: "backoff", key: "", baseSeconds: 30, ...growingDelays.resend } as const;
    expect([1, 2, 3, 4, 10].map((sent) => backoffDelayMs(resend, sent) / 1000)).toEqual([
      30, 60, 120, 240, 3600,
    ]);
    const phone = nextNumber();
    expect((await sendTo(phone)).status).toBe(202);
    const tooSoon = await sendTo(phone);
    expect(tooSoon.status).toBe(429);
    expect(Number(tooSoon.response.headers.get("retry-after"))).toBeGreaterThanOrEqual(29);
  });

  it("keeps a reserve for a browser that signed in with the number before", async () => {
    const victim = nextNumber();
    // An attacker spends the number's budget from many addresses.
    for (let index = 0; index < 3; index += 1) {
      emulator.advancePendingSession(victim, 3600);
      await ageResendDelay(victim, 86_400);
      expect((await sendTo(victim)).status).toBe(202);
    }
    emulator.advancePendingSession(victim, 3600);
    await ageResendDelay(victim, 86_400);
    expect((await sendTo(victim)).status).toBe(429);

    // The owner's browser carries the cookie that the verify route sets on sign-in.
    const device = await knownDeviceCookieFor(victim);
    const owner = await sendTo(victim, { Cookie: `${device.name}=${device.value}` });
    expect(owner.status).toBe(202);
    const otherNumber = await sendTo(nextNumber(), { Cookie: `${device.name}=${device.value}` });
    expect(otherNumber.status).toBe(202);
  });
});

describe("privacy", () => {
  it("never reads accounts while sending, so new and known numbers are answered alike", async () => {
    const known = nextNumber();
    await recordVerifiedSignIn(known);
    const { db } = await getDatabase();
    const originalSelect = db.select.bind(db);
    let reads = 0;
    db.select = ((...args: Parameters<typeof db.select>) => {
      reads += 1;
      return originalSelect(...args);
    }) as typeof db.select;
    try {
      const knownReply = await sendTo(known);
      const newReply = await sendTo(nextNumber());
      expect(knownReply.status).toBe(newReply.status);
      expect(Object.keys(knownReply.body)).toEqual(Object.keys(newReply.body));
      expect([...knownReply.response.headers.keys()]).toEqual([...newReply.response.headers.keys()]);
    } finally {
      db.select = originalSelect;
    }
    expect(reads).toBe(0);
  });
});

describe("code checks", () => {
  async function pendingFor(phone: string) {
    emulator.advancePendingSession(phone, 3600);
    await ageResendDelay(phone, 86_400);
    const { response } = await sendTo(phone);
    expect(response.status).toBe(202);
    return response.headers.get("set-cookie")!.split(";")[0]!;
  }
  const check = (cookie: string, code: string) =>
    verify(post("/api/otp/verify", { code }, { Cookie: cookie }));

  it("counts failures across resends and makes each check after the fifth wait longer", async () => {
    const delay = { kind: "backoff", key: "", ...growingDelays.check } as const;
    expect([4, 5, 6, 7, 20].map((count) => backoffDelayMs(delay, count) / 1000)).toEqual([0, 1, 2, 4, 60]);
    const phone = nextNumber();
    const first = await pendingFor(phone);
    const statuses = [];
    for (let index = 0; index < 5; index += 1) statuses.push((await check(first, "000000")).status);
    expect(statuses).toEqual([400, 400, 400, 400, 429]); // 8x8 fails the session at the fifth

    const second = await pendingFor(phone);
    const delayed = await check(second, "000000");
    expect(delayed.status).toBe(429); // one second must pass after the fifth failure
    const checksBefore = emulator.requestCounts.check;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await check(second, "000000")).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await check(second, "000000")).status).toBe(400);
    expect(emulator.requestCounts.check).toBe(checksBefore + 2);
  });

  it("records a refused check with the pending number", async () => {
    const phone = nextNumber();
    const cookie = await pendingFor(phone);
    const address = "2001:db8:77::5";
    await verify(post("/api/otp/verify", { code: "000000" }, { Cookie: cookie, "X-Forwarded-For": address }));
    await new Promise((resolve) => setTimeout(resolve, 400)); // events are written in batches
    const { events } = await getThrottleEventLog().list({ limit: 5, filters: { ip: address } });
    expect(events[0]).toMatchObject({
      rule: "code.wrong_or_expired",
      route: "POST /api/otp/verify",
      prefix: phone.slice(0, -4),
    });
    expect(await getThrottleEventLog().revealPhone(events[0]!.id)).toEqual({ phone });
  });
});
