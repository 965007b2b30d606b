import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

/**
 * The send route with Turnstile: its token is verified at Cloudflare (a call, and single use
 * there), so the send policy spends that call only on a send it would otherwise admit — after
 * the number and the destination screening. Cloudflare cannot be reached from this machine: its
 * siteverify answer is played back, in the shape its documentation gives; every other request
 * goes out as it would.
 */
const siteverifyTokens: string[] = [];

let send: (request: NextRequest) => Promise<Response>;

beforeAll(async () => {
  process.env.CAPTCHA_PROVIDER = "turnstile";
  process.env.TURNSTILE_SITE_KEY = "test-site-key";
  process.env.TURNSTILE_SECRET_KEY = "test-secret-key";
  const { siteverifyUrls, TURNSTILE_ACTION } = await import("@/lib/defenses/captcha/remote");
  const realFetch = globalThis.fetch;
  vi.stubGlobal("fetch", async (url: string | URL | Request, init?: RequestInit) => {
    if (String(url) !== siteverifyUrls.turnstile) return realFetch(url, init);
    siteverifyTokens.push(new URLSearchParams(init!.body as URLSearchParams).get("response")!);
    return Response.json({ success: true, hostname: "localhost", action: TURNSTILE_ACTION });
  });
  ({ POST: send } = await import("@/app/api/otp/send/route"));
});

afterAll(() => {
  vi.unstubAllGlobals();
  for (const name of ["CAPTCHA_PROVIDER", "TURNSTILE_SITE_KEY", "TURNSTILE_SECRET_KEY"])
    delete process.env[name];
});

let counter = 0;
const post = (body: Record<string, unknown>) =>
  new NextRequest("http://localhost/api/otp/send", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Forwarded-For": `2001:db8:7c:${(counter += 1).toString(16)}::1`,
    },
    body: JSON.stringify(body),
  });

async function outcome(body: Record<string, unknown>): Promise<string> {
  const response = await send(post(body));
  return response.status === 202 ? "202" : `${response.status} ${(await response.json()).error.code}`;
}

describe("a send with Turnstile", () => {
  it("refuses a send without a token before its number is read, and calls Cloudflare for none", async () => {
    expect(await outcome({ phone: "8123", country: "SG" })).toBe("403 captcha_failed");
    expect(siteverifyTokens).toEqual([]);
  });

  it("spends no verification on a number it refuses anyway", async () => {
    expect(await outcome({ phone: "8123", country: "SG", captcha: "token-a" })).toBe("400 invalid_phone");
    expect(await outcome({ phone: "+19005550123", captcha: "token-b" })).toBe("403 destination_blocked");
    expect(siteverifyTokens).toEqual([]);
  });

  it("verifies the token once, at Cloudflare, for a send it admits", async () => {
    expect(await outcome({ phone: "+6591230001", captcha: "token-c" })).toBe("202");
    expect(siteverifyTokens).toEqual(["token-c"]);
  });
});
