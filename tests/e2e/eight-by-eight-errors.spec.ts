import { countMessages, expect, randomPhone, sendCodeViaApi, test } from "./support";

/**
 * 8x8 refusing the account is an operator problem, on the production build too: the user gets a
 * plain 503 and no pending cookie, and it is never mistaken for 8x8's resend interval (429).
 */
test.describe("8x8 refusing the account", () => {
  const fault = (destination: string, status: number, code: number) => ({
    data: { kind: "http_error", status, code, destination, operation: "create", times: 1 },
  });

  test("answers 503 to a send when 8x8 answers 403 / 1201, with nothing of 8x8's reply in it", async ({
    request,
  }) => {
    const phone = randomPhone();
    expect((await request.post("/api/sandbox/faults", fault(phone.e164, 403, 1201))).status()).toBe(201);

    const sent = await sendCodeViaApi(request, { phone: phone.e164 });
    expect(sent.status()).toBe(503);
    expect(sent.headers()["set-cookie"]).toBeUndefined();
    expect(sent.headers()["retry-after"]).toBeUndefined();
    const text = await sent.text();
    expect(JSON.parse(text).error.code).toBe("unavailable");
    expect(text).not.toMatch(/1201|errorId|8x8|allow-list/i);
    expect(await countMessages(request, phone.e164)).toBe(0);
  });

  test("answers 8x8's resend interval (403 / 1400) with 429 and Retry-After", async ({ request }) => {
    const phone = randomPhone();
    expect((await request.post("/api/sandbox/faults", fault(phone.e164, 403, 1400))).status()).toBe(201);

    const sent = await sendCodeViaApi(request, { phone: phone.e164 });
    expect(sent.status()).toBe(429);
    expect(Number(sent.headers()["retry-after"])).toBeGreaterThan(0);
    expect((await sent.json()).error.code).toBe("rate_limited");
  });

  test("refuses an http_error fault that does not say which status to answer", async ({ request }) => {
    const response = await request.post("/api/sandbox/faults", {
      data: { kind: "http_error", code: 1201, destination: randomPhone().e164 },
    });
    expect(response.status()).toBe(400);
    expect((await response.json()).error.fields).toHaveProperty("status");
  });
});
