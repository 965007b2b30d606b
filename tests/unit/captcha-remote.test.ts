import { describe, expect, it } from "vitest";
import {
  siteverifyUrls,
  TURNSTILE_ACTION,
  verifyRemoteCaptcha,
  type RemoteCaptchaOptions,
} from "@/lib/defenses/captcha/remote";
import { AppError } from "@/lib/http/errors";

/**
 * Turnstile and hCaptcha cannot be reached from this machine, so their siteverify answers are
 * played back through an injected fetch, in the shapes their documentation gives.
 */
function options(reply: () => Promise<Response>, provider: "turnstile" | "hcaptcha" = "turnstile") {
  const requests: { url: string; body: URLSearchParams }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    requests.push({ url, body: init.body as URLSearchParams });
    return reply();
  }) as unknown as typeof globalThis.fetch;
  const settings: RemoteCaptchaOptions = {
    provider,
    secretKey: "secret",
    siteKey: "site",
    hostnames: ["app.example"],
    clientIp: "203.0.113.7",
    fetch,
  };
  return { settings, requests };
}

const json =
  (body: unknown, status = 200) =>
  async () =>
    new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

async function outcome(token: string, settings: RemoteCaptchaOptions) {
  try {
    await verifyRemoteCaptcha(token, settings);
    return "accepted";
  } catch (error) {
    return error instanceof AppError ? `${error.code}:${error.details.rule}` : String(error);
  }
}

describe("remote CAPTCHA verification", () => {
  it("accepts a Turnstile token solved on our host for our action, sending secret, token and address", async () => {
    const { settings, requests } = options(
      json({ success: true, hostname: "app.example", action: TURNSTILE_ACTION }),
    );
    expect(await outcome("token", settings)).toBe("accepted");
    expect(requests[0]!.url).toBe(siteverifyUrls.turnstile);
    expect(Object.fromEntries(requests[0]!.body)).toEqual({
      secret: "secret",
      response: "token",
      remoteip: "203.0.113.7",
    });
  });

  it("refuses unsuccessful tokens, other hosts and other actions", async () => {
    expect(
      await outcome(
        "t",
        options(json({ success: false, "error-codes": ["invalid-input-response"] })).settings,
      ),
    ).toBe("captcha_failed:captcha.invalid");
    expect(
      await outcome(
        "t",
        options(json({ success: true, hostname: "evil.example", action: TURNSTILE_ACTION })).settings,
      ),
    ).toBe("captcha_failed:captcha.hostname");
    expect(
      await outcome("t", options(json({ success: true, hostname: "app.example", action: "login" })).settings),
    ).toBe("captcha_failed:captcha.action");
  });

  it("fails closed when the provider errs, answers garbage or is unreachable", async () => {
    const failing = [
      json({ error: "boom" }, 500),
      async () => new Response("<html>", { status: 200 }),
      async () => {
        throw new TypeError("fetch failed");
      },
    ];
    for (const reply of failing) {
      expect(await outcome("t", options(reply).settings)).toBe("unavailable:captcha.provider_unavailable");
    }
  });

  it("sends hCaptcha its site key and needs no action", async () => {
    const { settings, requests } = options(json({ success: true, hostname: "app.example" }), "hcaptcha");
    expect(await outcome("token", settings)).toBe("accepted");
    expect(requests[0]!.url).toBe(siteverifyUrls.hcaptcha);
    expect(requests[0]!.body.get("sitekey")).toBe("site");
  });
});
