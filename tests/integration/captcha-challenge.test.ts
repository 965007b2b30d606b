import type { Challenge } from "altcha-lib";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getChallenge } from "@/app/api/captcha/challenge/route";
import { POST as send } from "@/app/api/otp/send/route";
import { turnOnAttackMode } from "@/lib/defenses/captcha";
import { getSandboxEmulator } from "@/lib/eight-by-eight";
import type { EightByEightEmulator } from "@/lib/eight-by-eight/sandbox/emulator";
import { getEnv } from "@/lib/env";
import { solveAltcha } from "../support/altcha";

let emulator: EightByEightEmulator;
beforeAll(async () => {
  emulator = (await getSandboxEmulator())!;
});

let counter = 0;
const nextNumber = () => `+659${String(6_000_000 + (counter += 1) * 6_029).slice(-7)}`;
/** A client address in its own /48, so tests never share an address or network bucket. */
const nextClientIp = () => `2001:db8:c${(counter += 1).toString(16).padStart(3, "0")}::1`;

const challengeFrom = (clientIp: string) =>
  getChallenge(
    new NextRequest("http://localhost/api/captcha/challenge", { headers: { "X-Forwarded-For": clientIp } }),
  );

async function sendWith(captcha: string) {
  const response = await send(
    new NextRequest("http://localhost/api/otp/send", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Forwarded-For": nextClientIp() },
      body: JSON.stringify({ phone: nextNumber(), captcha }),
    }),
  );
  return { status: response.status, body: await response.json() };
}

async function freshChallenge(): Promise<Challenge> {
  const response = await challengeFrom(nextClientIp());
  expect(response.status).toBe(200);
  return (await response.json()) as Challenge;
}

describe("GET /api/captcha/challenge issuance limits", () => {
  it("refuses challenges to many /64s of one /48 once the network limit is spent", async () => {
    const { limit } = getEnv().limits["captcha.challenge.subnet"];
    const statuses: number[] = [];
    for (let index = 1; index <= limit + 10; index += 1)
      statuses.push((await challengeFrom(`2001:db8:48:${index.toString(16)}::1`)).status);
    expect(statuses.slice(0, limit).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(limit).every((status) => status === 429)).toBe(true);

    const refused = await challengeFrom("2001:db8:48:ffff::1");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refused.json()).error.code).toBe("rate_limited");
    // Another network is served as before.
    expect((await challengeFrom("2001:db8:49::1")).status).toBe(200);
  });

  it("refuses challenges to many addresses of one IPv4 /24 once the network limit is spent", async () => {
    const { limit } = getEnv().limits["captcha.challenge.subnet"];
    const statuses: number[] = [];
    for (let host = 1; host <= limit + 5; host += 1)
      statuses.push((await challengeFrom(`198.51.100.${host}`)).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(limit);
    expect(statuses.slice(limit)).toEqual([429, 429, 429, 429, 429]);
    expect((await challengeFrom("192.0.2.1")).status).toBe(200);
  });

  it("issues a challenge without deriving its key on the server (no key signature)", async () => {
    const challenge = await freshChallenge();
    expect(challenge.parameters.keySignature).toBeUndefined();
    expect(challenge.parameters.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect((await sendWith(await solveAltcha(challenge))).status).toBe(202);
  });
});

describe("one key derivation per challenge", () => {
  it("gives each challenge one try: after a forged solution, even the right one is refused", async () => {
    const challenge = await freshChallenge();
    const payload = await solveAltcha(challenge);
    const decoded = JSON.parse(Buffer.from(payload, "base64").toString());
    const forged = Buffer.from(
      JSON.stringify({
        challenge,
        solution: { counter: decoded.solution.counter + 1, derivedKey: "00".repeat(32) },
      }),
    ).toString("base64");

    const before = emulator.requestCounts.create;
    const forgedReplies = await Promise.all(Array.from({ length: 10 }, () => sendWith(forged)));
    for (const reply of forgedReplies) {
      expect(reply.status).toBe(403);
      expect(reply.body.error.code).toBe("captcha_failed");
    }
    expect((await sendWith(payload)).status).toBe(403);
    expect(emulator.requestCounts.create).toBe(before);
  });
});

describe("attack mode", () => {
  it("refuses a cheap challenge solved after attack mode starts, and accepts a dearer one issued since", async () => {
    const cheap = await freshChallenge();
    const cheapPayload = await solveAltcha(cheap);

    // Attack mode turns on (tests/integration/send-concurrency.test.ts shows the send rate doing it).
    await turnOnAttackMode();

    const before = emulator.requestCounts.create;
    const refused = await sendWith(cheapPayload);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("captcha_failed");
    expect(emulator.requestCounts.create).toBe(before);

    const dear = await freshChallenge();
    expect(dear.parameters.cost).toBe(cheap.parameters.cost * getEnv().captcha.altcha.attackCostMultiplier);
    expect((await sendWith(await solveAltcha(dear))).status).toBe(202);
  });
});
