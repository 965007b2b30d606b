import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { POST as send } from "@/app/api/otp/send/route";
import { addRule, canonicalRuleValue } from "@/lib/defenses/operator-rules";
import { createAltchaChallenge } from "@/lib/defenses/captcha";
import { solveAltcha } from "../support/altcha";

// Limits count one IPv6 client per /56 here; set before anything reads the environment.
vi.hoisted(() => {
  process.env.CLIENT_IP_IPV6_PREFIX = "56";
});

let counter = 0;
const nextNumber = () => `+659${String(5_000_000 + (counter += 1) * 6_011).slice(-7)}`;

async function sendFrom(clientIp: string) {
  const request = new NextRequest("http://localhost/api/otp/send", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": clientIp },
    body: JSON.stringify({ phone: nextNumber(), captcha: await solveAltcha(await createAltchaChallenge()) }),
  });
  return (await send(request)).status;
}

describe("with CLIENT_IP_IPV6_PREFIX=56", () => {
  it("blocks the /56 around an IPv6 address, the unit every limit counts as one client", async () => {
    await addRule(
      { kind: "block-ip", value: "2a01:4f8:7:1::5", ttlSeconds: 3600, reason: "" },
      "+6580000001",
    );
    expect(await sendFrom("2a01:4f8:7:1::5")).toBe(403);
    expect(await sendFrom("2a01:4f8:7:ff::1")).toBe(403);
    expect(await sendFrom("2a01:4f8:7:100::1")).toBe(202);
  });

  it("accepts IPv6 networks up to /56 and refuses longer ones", () => {
    expect(canonicalRuleValue("block-subnet", "2a01:4f8:7::/56")).toBe("2a01:4f8:7::/56");
    expect(() => canonicalRuleValue("block-subnet", "2a01:4f8:7:1::/64")).toThrow(
      /IPv6 networks from \/16 to \/56/,
    );
  });
});
