import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as send } from "@/app/api/otp/send/route";
import { POST as verify } from "@/app/api/otp/verify/route";
import { getSandboxEmulator } from "@/lib/eight-by-eight";
import { createAltchaChallenge } from "@/lib/defenses/captcha";
import { ageResendDelay } from "@/lib/defenses/limits";

import { solveAltcha } from "../support/altcha";
import type { EightByEightEmulator } from "@/lib/eight-by-eight/sandbox/emulator";
import { getThrottleEventLog } from "@/lib/events";

let emulator: EightByEightEmulator;
beforeAll(async () => {
  emulator = (await getSandboxEmulator())!;
});

let counter = 0;
function nextNumber(): string {
  counter += 1;
  return `+658${String(2_000_000 + counter * 104_729).slice(-7)}`;
}

let addressCounter = 0;
/** A client address in its own /48, so tests never share an IP or network bucket. */
function nextClientIp(): string {
  addressCounter += 1;
  return `2001:db8:${addressCounter.toString(16)}::1`;
}

/** Requests arrive as in development: `next dev` puts the client address in X-Forwarded-For. */
function jsonRequest(path: string, body: unknown, headers: Record<string, string> = {}) {
  return new NextRequest(`http://localhost${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": nextClientIp(), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A send request carrying a freshly solved CAPTCHA, as the sign-in form sends it. */
async function sendRequest(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const captcha = "captcha" in body ? body.captcha : await solveAltcha(await createAltchaChallenge());
  return jsonRequest("/api/otp/send", { ...body, captcha }, headers);
}

async function sendCode(phone: string) {
  const response = await send(await sendRequest({ phone }));
  const cookie = response.headers.get("set-cookie")?.split(";")[0] ?? "";
  return { response, cookie, body: await response.json() };
}

const verifyWith = (cookie: string, code: unknown) =>
  verify(jsonRequest("/api/otp/verify", { code }, { cookie }));

describe("POST /api/otp/send", () => {
  it("answers 202 with expiry times and a sealed, httpOnly pending-verification cookie", async () => {
    const phone = nextNumber();
    const { response, body } = await sendCode(phone);
    expect(response.status).toBe(202);
    expect(body).toEqual({ status: "sent", expiresAt: expect.any(String), resendAfter: expect.any(String) });
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const setCookie = response.headers.get("set-cookie") ?? "";
    // A JWE: the browser can read neither the number nor 8x8's session id in it.
    const value = /^otp_pending=([\w.-]+);/.exec(setCookie)?.[1] ?? "";
    expect(value.split(".")).toHaveLength(5);
    const decoded = value
      .split(".")
      .map((part) => Buffer.from(part, "base64url").toString("latin1"))
      .join("");
    expect(decoded).not.toContain(phone.slice(1));
    expect(decoded).not.toContain(emulator.listMessages(phone)[0]!.sessionId);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=strict/i);
    expect(emulator.listMessages(phone)).toHaveLength(1);
  });

  it("sends one number once, whatever its spelling, when re-sent inside the interval", async () => {
    const phone = nextNumber();
    const national = `${phone.slice(3, 7)} ${phone.slice(7)}`;
    expect((await sendCode(phone)).response.status).toBe(202);
    const again = await send(await sendRequest({ phone: national, country: "SG" }));
    expect(again.status).toBe(429);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await again.json()).error.code).toBe("rate_limited");
    expect(emulator.listMessages(phone)).toHaveLength(1);
  });

  it("rejects bad input with specific errors and never calls 8x8", async () => {
    const before = emulator.requestCounts.create;
    const cases = [
      // No CAPTCHA: refused before the number is read, however wrong it is.
      {
        request: jsonRequest("/api/otp/send", { phone: "8123", country: "SG" }),
        status: 403,
        code: "captcha_failed",
      },
      { request: jsonRequest("/api/otp/send", "{not json"), status: 400, code: "bad_request" },
      {
        request: jsonRequest("/api/otp/send", { phone: "+6581234567", role: "admin" }),
        status: 400,
        code: "bad_request",
      },
      { request: jsonRequest("/api/otp/send", { phone: 6581234567 }), status: 400, code: "invalid_phone" },
      {
        request: jsonRequest("/api/otp/send", { phone: "x".repeat(5000) }),
        status: 413,
        code: "payload_too_large",
      },
      {
        request: new NextRequest("http://localhost/api/otp/send", {
          method: "POST",
          headers: { "X-Forwarded-For": nextClientIp() },
          body: "phone=1",
        }),
        status: 415,
        code: "unsupported_media_type",
      },
    ];
    for (const { request, status, code } of cases) {
      const response = await send(request);
      expect(response.status, code).toBe(status);
      expect((await response.json()).error.code).toBe(code);
    }
    const tooShort = await send(await sendRequest({ phone: "8123", country: "SG" }));
    expect(await tooShort.json()).toEqual({
      error: {
        code: "invalid_phone",
        message: "Too short for Singapore.",
        fields: { phone: "Too short for Singapore." },
      },
    });
    expect(emulator.requestCounts.create).toBe(before);
  });

  it("lets one challenge through to the number once: posted again it is refused before the number is read", async () => {
    // The cheapest attacker who fetched one challenge and never solves it: with a number that is
    // refused before the solution is checked, the same payload would buy a parse every time.
    const captcha = await solveAltcha(await createAltchaChallenge());
    const refusedFor = async (phone: string) => {
      const response = await send(
        jsonRequest("/api/otp/send", { phone, captcha }, { "X-Forwarded-For": "2001:db8:abcd:7::1" }),
      );
      return `${response.status} ${(await response.json()).error.code}`;
    };
    expect(await refusedFor("8123")).toBe("400 invalid_phone");
    expect(await Promise.all(["8124", "+19005550123", nextNumber()].map(refusedFor))).toEqual([
      "403 captcha_failed",
      "403 captcha_failed",
      "403 captcha_failed",
    ]);
    await new Promise((resolve) => setTimeout(resolve, 400)); // events are written in batches
    const { events } = await getThrottleEventLog().list({ limit: 10, filters: { ip: "2001:db8:abcd:7::1" } });
    expect(events.map(({ rule, prefix }) => `${rule} ${prefix}`).sort()).toEqual([
      "captcha.replayed null",
      "captcha.replayed null",
      "captcha.replayed null",
      "validation.phone null",
    ]);
  });

  it("refuses to send without a trustworthy client address, before calling 8x8", async () => {
    const before = emulator.requestCounts.create;
    for (const forwardedFor of ["", "garbage", "0.0.0.0"]) {
      const response = await send(
        await sendRequest({ phone: nextNumber() }, { "X-Forwarded-For": forwardedFor }),
      );
      expect(response.status).toBe(403);
      expect((await response.json()).error.code).toBe("forbidden");
    }
    expect(emulator.requestCounts.create).toBe(before);
  });

  it("returns 429 with Retry-After after the fifth send from one address, without saying why", async () => {
    const address = nextClientIp();
    const statuses = [];
    for (let index = 0; index < 6; index += 1) {
      statuses.push(
        (await send(await sendRequest({ phone: nextNumber() }, { "X-Forwarded-For": address }))).status,
      );
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    const refused = await send(await sendRequest({ phone: nextNumber() }, { "X-Forwarded-For": address }));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({
      error: { code: "rate_limited", message: "Too many code requests. Please wait a while and try again." },
    });
  });

  it("records each refusal as a throttle event naming the rule, the address and the masked number", async () => {
    const address = "2001:db8:abcd:1::9";
    const phone = nextNumber();
    // A forged CAPTCHA is refused before the number is read: its event names no number.
    await send(
      jsonRequest(
        "/api/otp/send",
        { phone: nextNumber(), captcha: "forged" },
        { "X-Forwarded-For": address },
      ),
    );
    await send(await sendRequest({ phone: "8123", country: "SG" }, { "X-Forwarded-For": address }));
    for (let index = 0; index < 6; index += 1) {
      await send(
        await sendRequest(
          { phone: index === 5 ? phone : nextNumber() },
          { "X-Forwarded-For": address, "User-Agent": "<b>bot</b>" },
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 400)); // events are written in batches after the response
    const { events } = await getThrottleEventLog().list({
      limit: 10,
      filters: { ip: "2001:db8:abcd:1::9" },
    });
    expect(events.map((event) => event.rule)).toEqual([
      "limit.send.ip",
      "validation.phone",
      "captcha.malformed",
    ]);
    expect(events[2]).toMatchObject({
      phoneMasked: null,
      country: null,
      prefix: null,
      subnet: "2001:db8:abcd::/48",
    });
    expect(events[0]).toMatchObject({
      route: "POST /api/otp/send",
      decision: "refused",
      subnet: "2001:db8:abcd::/48",
      phoneMasked: `+65 ${phone.slice(3, -4)}••••`,
      country: "SG",
      prefix: phone.slice(0, -4),
      userAgent: "<b>bot</b>",
    });
    expect(events[0]!.retryAfterSeconds).toBeGreaterThan(0);
  });

  it("limits one number to three codes per 15 minutes from any number of addresses", async () => {
    const phone = nextNumber();
    const statuses = [];
    for (let index = 0; index < 4; index += 1) {
      // Let 8x8's resend interval and our growing resend delay pass; the window limit remains.
      emulator.advancePendingSession(phone, 3600);
      await ageResendDelay(phone, 86_400);
      statuses.push((await send(await sendRequest({ phone }))).status);
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    expect(emulator.listMessages(phone)).toHaveLength(3);
  });

  it("passes the resolved client address to 8x8 as clientIp", async () => {
    await send(
      await sendRequest({ phone: nextNumber() }, { "X-Forwarded-For": "6.6.6.6, 2001:DB8:ff::0:7" }),
    );
    expect(emulator.recentCreateBodies.at(-1)).toMatchObject({ clientIp: "2001:db8:ff::7" });
  });

  it("maps 8x8 failures: 429 keeps its Retry-After, 5xx becomes 503 and no cookie is set", async () => {
    const limited = nextNumber();
    emulator.addFault({ kind: "rate_limit", destination: limited, times: 1, retryAfterSeconds: 9 });
    const rateLimited = await send(await sendRequest({ phone: limited }));
    expect(rateLimited.status).toBe(429);
    expect(rateLimited.headers.get("retry-after")).toBe("9");

    const broken = nextNumber();
    emulator.addFault({ kind: "server_error", destination: broken, times: 1 });
    const unavailable = await send(await sendRequest({ phone: broken }));
    expect(unavailable.status).toBe(503);
    const body = await unavailable.json();
    expect(body.error.code).toBe("unavailable");
    expect(JSON.stringify(body)).not.toMatch(/errorId|2000|8x8/);
    expect(unavailable.headers.get("set-cookie")).toBeNull();
  });
});

describe("8x8 failing", () => {
  it.each(["hang", "malformed", "server_error"] as const)(
    "answers 503 to a send when 8x8 fails with %s, after exactly one call and with no pending cookie",
    async (kind) => {
      const phone = nextNumber();
      emulator.addFault({ kind, destination: phone, operation: "create", times: 1 });
      const before = emulator.requestCounts.create;
      const started = Date.now();
      const response = await send(await sendRequest({ phone }));
      expect(response.status).toBe(503);
      expect(emulator.requestCounts.create - before).toBe(1);
      expect(response.headers.get("set-cookie")).toBeNull();
      expect(Date.now() - started).toBeLessThan(3000);
    },
  );

  it("answers 503 to a code check when 8x8 fails, and signs nobody in", async () => {
    const phone = nextNumber();
    const { cookie } = await sendCode(phone);
    emulator.addFault({ kind: "server_error", destination: phone, operation: "check", times: 1 });
    const code = emulator.listMessages(phone)[0]!.code;
    const before = emulator.requestCounts.check;
    const failed = await verifyWith(cookie, code);
    expect(failed.status).toBe(503);
    expect(emulator.requestCounts.check - before).toBe(1);
    expect(failed.headers.get("set-cookie") ?? "").not.toMatch(/session-token/);
  });
});

describe("POST /api/otp/verify", () => {
  it("answers no_pending_verification without the cookie, or with a forged one", async () => {
    for (const cookie of ["", "otp_pending=forged.signature"]) {
      const response = await verifyWith(cookie, "123456");
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe("no_pending_verification");
    }
  });

  it("answers a wrong code and an expired right code identically", async () => {
    const wrongPhone = nextNumber();
    const wrong = await verifyWith((await sendCode(wrongPhone)).cookie, "000000");

    const expiredPhone = nextNumber();
    const { cookie } = await sendCode(expiredPhone);
    const code = emulator.listMessages(expiredPhone)[0]!.code;
    emulator.advancePendingSession(expiredPhone, 301);
    const expired = await verifyWith(cookie, code);

    expect(wrong.status).toBe(400);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual(await wrong.json());
  });

  it("rejects a malformed code without using up an attempt at 8x8", async () => {
    const phone = nextNumber();
    const { cookie } = await sendCode(phone);
    const checksBefore = emulator.requestCounts.check;
    for (const code of ["12345", "abcdef", 123456, "1234567"]) {
      const response = await verifyWith(cookie, code);
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe("code_invalid");
    }
    expect(emulator.requestCounts.check).toBe(checksBefore);
  });

  it("answers 429 once 8x8 has failed the session after five wrong codes, and forgets the verification", async () => {
    const phone = nextNumber();
    const { cookie } = await sendCode(phone);
    const statuses = [];
    for (let index = 0; index < 5; index += 1) statuses.push((await verifyWith(cookie, "000000")).status);
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    const after = await verifyWith(cookie, emulator.listMessages(phone)[0]!.code);
    expect((await after.json()).error.code).toBe("no_pending_verification");
  });
});

describe("the API's language", () => {
  it("answers refusals in the language of Accept-Language, with the same codes and fields", async () => {
    const indonesian = { "Accept-Language": "id-ID,id;q=0.9,en;q=0.5" };
    const tooShort = await send(await sendRequest({ phone: "8123", country: "SG" }, indonesian));
    expect(tooShort.status).toBe(400);
    expect(await tooShort.json()).toEqual({
      error: {
        code: "invalid_phone",
        message: "Terlalu pendek untuk Singapura.",
        fields: { phone: "Terlalu pendek untuk Singapura." },
      },
    });

    const refusedCountry = await send(await sendRequest({ phone: "+7 912 345 6789" }, indonesian));
    expect(refusedCountry.status).toBe(403);
    expect((await refusedCountry.json()).error.message).toMatch(
      /^Kami tidak dapat mengirim kode ke nomor di /,
    );

    const noCode = await verify(jsonRequest("/api/otp/verify", { code: "123456" }, indonesian));
    expect(await noCode.json()).toEqual({
      error: {
        code: "no_pending_verification",
        message: "Tidak ada kode yang menunggu diperiksa. Minta kode baru.",
      },
    });
  });

  it("answers English without Accept-Language, or for a language it does not speak", async () => {
    for (const headers of [{}, { "Accept-Language": "fr-FR,fr;q=0.9" }] as Record<string, string>[]) {
      const response = await send(await sendRequest({ phone: "8123", country: "SG" }, headers));
      expect((await response.json()).error.message).toBe("Too short for Singapore.");
    }
  });
});

describe("an unknown /api path", () => {
  it("answers the JSON error envelope with 404 for every method", async () => {
    const { GET, POST } = await import("@/app/api/[...path]/route");
    for (const handler of [GET, POST]) {
      const response = handler(new Request("http://localhost/api/nothing/here", { method: "POST" }));
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(await response.json()).toEqual({
        error: { code: "not_found", message: "There is no such endpoint." },
      });
    }
  });
});
