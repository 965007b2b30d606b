import { randomBytes } from "node:crypto";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { loadSignInRoutes, type SignInRoutes } from "../support/sign-in-routes";
import { countRedisRoundTrips, isRedisReachable, REDIS_URL } from "../support/redis";

/**
 * Store round trips per request on Redis over TCP, counted (each ioredis call or pipeline is
 * one), all of them included — the batched throttle-event and traffic writes after the response
 * too. What a sign-in pays before 8x8 is called, and what an attacker makes us pay per refusal.
 */

// Auth.js's signIn needs a Next.js request scope: see tests/support/auth-stand-in.ts.
vi.mock("@/lib/auth", () => import("../support/auth-stand-in"));

const reachable = await isRedisReachable();
let counter = 0;
const ownNetwork = () => `2001:db8:${(0xd000 + (counter += 1)).toString(16)}::1`;

it("runs where Redis answers, and CI always has it", () => {
  if (process.env.CI) expect(reachable, "CI must count store round trips").toBe(true);
});

describe.runIf(reachable)("store round trips per request", async () => {
  let routes: SignInRoutes;
  let roundTrips: { read(): number };

  beforeAll(async () => {
    process.env.REDIS_URL = REDIS_URL;
    process.env.STORE_KEY_PREFIX = `round-trips:${randomBytes(4).toString("hex")}:`;
    roundTrips = await countRedisRoundTrips();
    routes = await loadSignInRoutes();
    // Loads the scripts, this process's copy of the operator rules and the hour's key that seals
    // the numbers in events (fetched once per hour and instance: a premium-rate number's refusal
    // is an event with a number, which a forged CAPTCHA's is not).
    await routes.send(sendRequest(ownNetwork(), "+6581239999", await routes.captcha()));
    await routes.send(sendRequest(ownNetwork(), "+19005550123", await routes.captcha()));
    await routes.send(sendRequest(ownNetwork(), "+6581239998", "forged"));
    await routes.flush();
  });

  const request = (path: string, address: string, body: unknown, cookie = "") =>
    new NextRequest(`http://localhost${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Forwarded-For": address, Cookie: cookie },
      body: JSON.stringify(body),
    });
  const sendRequest = (address: string, phone: string, captcha: string) =>
    request("/api/otp/send", address, { phone, captcha });

  /** Round trips of `run`, with the writes it leaves for after the response. */
  async function counted<T>(run: () => Promise<T>): Promise<{ result: T; roundTrips: number }> {
    await routes.flush();
    const before = roundTrips.read();
    const result = await run();
    await routes.flush();
    return { result, roundTrips: roundTrips.read() - before };
  }

  it("sends a code in two: the decision before 8x8, and the traffic count after the response", async () => {
    const captcha = await routes.captcha();
    const { result, roundTrips } = await counted(() =>
      routes.send(sendRequest(ownNetwork(), "+6581231001", captcha)),
    );
    expect(result.status).toBe(202);
    expect(roundTrips).toBe(2);
  });

  it("signs in with the right code in three: decision, settlement, traffic count (the account is in the database)", async () => {
    const phone = "+6581231002";
    const sent = await routes.send(sendRequest(ownNetwork(), phone, await routes.captcha()));
    const cookie = sent.headers.get("set-cookie")!.split(";")[0]!;
    const { result, roundTrips } = await counted(() =>
      routes.verify(request("/api/otp/verify", ownNetwork(), { code: routes.latestCode(phone) }, cookie)),
    );
    expect(result.status).toBe(200);
    expect(roundTrips).toBe(3);
  });

  it("refuses by a limit in one decision, then from memory, each refusal's event in a shared batch", async () => {
    const address = ownNetwork();
    for (let index = 0; index < 5; index += 1) {
      expect(
        (await routes.send(sendRequest(address, `+658124${1000 + index}`, await routes.captcha()))).status,
      ).toBe(202);
    }
    const refused = await counted(() => routes.send(sendRequest(address, "+6581242000", "x".repeat(10))));
    // A forged CAPTCHA costs no decision at all: only its event.
    expect(refused.result.status).toBe(403);
    expect(refused.roundTrips).toBe(1);

    const captchas = await Promise.all([1, 2, 3].map(() => routes.captcha()));
    const first = await counted(() => routes.send(sendRequest(address, "+6581242001", captchas[0]!)));
    expect(first.result.status).toBe(429);
    expect(first.roundTrips).toBe(2); // the decision, and the event
    const again = await counted(() => routes.send(sendRequest(address, "+6581242002", captchas[1]!)));
    expect(again.result.status).toBe(429);
    expect(again.roundTrips).toBe(1); // the event only: the spent address is remembered

    // Under a flood the events share their writes: 50 refusals, one batch. The remembered spent
    // address is refused before its CAPTCHA is even read, forged or not.
    const flood = await counted(() =>
      Promise.all(
        Array.from({ length: 50 }, () => routes.send(sendRequest(address, "+6581242003", "forged"))),
      ),
    );
    expect(flood.result.map((response) => response.status)).toEqual(Array(50).fill(429));
    expect(flood.roundTrips).toBe(1);
  });
});
