import { NextRequest } from "next/server";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as send } from "@/app/api/otp/send/route";
import { POST as verify } from "@/app/api/otp/verify/route";
import { getSandboxEmulator } from "@/lib/eight-by-eight";
import type { EightByEightEmulator } from "@/lib/eight-by-eight/sandbox/emulator";
import { createAltchaChallenge } from "@/lib/defenses/captcha";
import { solveAltcha } from "../support/altcha";

/**
 * 8x8 refusing the account (IP allow-list, key, TLS, retired API version) is the operator's
 * problem: users get a plain 503, the server log gets one loud line with 8x8's code and errorId,
 * and it is never confused with users retrying too soon.
 */

let emulator: EightByEightEmulator;
beforeAll(async () => {
  emulator = (await getSandboxEmulator())!;
});
afterEach(() => {
  vi.restoreAllMocks();
});

let counter = 0;
function nextNumber(): string {
  counter += 1;
  return `+659${String(3_000_000 + counter * 104_729).slice(-7)}`;
}

let addressCounter = 0;
function nextClientIp(): string {
  addressCounter += 1;
  return `2001:db8:8${addressCounter.toString(16)}::1`;
}

function jsonRequest(path: string, body: unknown, headers: Record<string, string> = {}) {
  return new NextRequest(`http://localhost${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": nextClientIp(), ...headers },
    body: JSON.stringify(body),
  });
}

async function sendTo(phone: string) {
  const captcha = await solveAltcha(await createAltchaChallenge());
  return send(jsonRequest("/api/otp/send", { phone, captcha }));
}

/** The console.error calls made while `body` runs. */
async function capturingErrors<T>(body: () => Promise<T>): Promise<{ result: T; logged: unknown[][] }> {
  const spy = vi.spyOn(console, "error").mockImplementation(() => {});
  const result = await body();
  const logged = spy.mock.calls.map((call) => [...call]);
  spy.mockRestore();
  return { result, logged };
}

describe("8x8 refusing the account", () => {
  it.each([
    { status: 403, code: 1201 },
    { status: 401, code: 1200 },
    { status: 410, code: 2002 },
    { status: 426, code: 1014 },
    { status: 400, code: 1001 },
  ])(
    "answers a send 503 when 8x8 answers $status / $code, and logs it once with the code and errorId",
    async ({ status, code }) => {
      const phone = nextNumber();
      emulator.addFault({
        kind: "http_error",
        status,
        code,
        destination: phone,
        operation: "create",
        times: 1,
      });
      const { result: response, logged } = await capturingErrors(() => sendTo(phone));

      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBeNull();
      expect(response.headers.get("set-cookie")).toBeNull();
      const text = await response.text();
      expect(JSON.parse(text).error.code).toBe("unavailable");
      expect(text).not.toMatch(new RegExp(`${code}|errorId|8x8|allow-list`, "i"));

      expect(logged).toHaveLength(1);
      const [headline, fields] = logged[0]! as [string, Record<string, unknown>];
      expect(headline).toContain("8x8 send failed");
      expect(fields).toMatchObject({
        httpStatus: status,
        vendorCode: code,
        errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(String(fields.message)).toContain("operator action needed");
      expect(emulator.listMessages(phone)).toHaveLength(0);
    },
  );

  it("answers a code check 503 on 403 / 1201, logs it, and signs nobody in", async () => {
    const phone = nextNumber();
    const sent = await sendTo(phone);
    expect(sent.status).toBe(202);
    const cookie = sent.headers.get("set-cookie")!.split(";")[0]!;
    const code = emulator.listMessages(phone)[0]!.code;
    emulator.addFault({
      kind: "http_error",
      status: 403,
      code: 1201,
      destination: phone,
      operation: "check",
      times: 1,
    });

    const { result: response, logged } = await capturingErrors(() =>
      verify(jsonRequest("/api/otp/verify", { code }, { cookie })),
    );
    expect(response.status).toBe(503);
    expect((await response.json()).error.code).toBe("unavailable");
    expect(response.headers.get("set-cookie") ?? "").not.toMatch(/session-token/);
    expect(logged).toHaveLength(1);
    expect(logged[0]![1]).toMatchObject({ httpStatus: 403, vendorCode: 1201 });
  });

  it("still answers 8x8's resend interval (403 / 1400) as 429 for the user, with nothing logged", async () => {
    const phone = nextNumber();
    emulator.addFault({
      kind: "http_error",
      status: 403,
      code: 1400,
      destination: phone,
      operation: "create",
      times: 1,
    });
    const { result: response, logged } = await capturingErrors(() => sendTo(phone));
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await response.json()).error.code).toBe("rate_limited");
    expect(logged).toEqual([]);
  });
});
