import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { GET as getChallenge } from "@/app/api/captcha/challenge/route";
import { getEnv } from "@/lib/env";

const challengeFrom = (clientIp: string) =>
  getChallenge(
    new NextRequest("http://localhost/api/captcha/challenge", { headers: { "X-Forwarded-For": clientIp } }),
  );

describe("GET /api/captcha/challenge total limit", () => {
  it("refuses challenges once the total for everyone is spent, whatever network asks", async () => {
    const { limit } = getEnv().limits["captcha.challenge.global"];
    let served = 0;
    // Each request from its own /48, so no address or network limit is reached first.
    for (let index = 1; index <= limit; index += 1) {
      if ((await challengeFrom(`2001:db8:${index.toString(16)}::1`)).status === 200) served += 1;
    }
    expect(served).toBe(limit);
    const refused = await challengeFrom("2001:db8:ffff::1");
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.code).toBe("rate_limited");
  });
});
