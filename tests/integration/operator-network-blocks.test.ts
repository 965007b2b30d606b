import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as send } from "@/app/api/otp/send/route";
import {
  addRule,
  canonicalRuleValue,
  findApplicableRules,
  listRules,
  removeRule,
} from "@/lib/defenses/operator-rules";
import { createAltchaChallenge } from "@/lib/defenses/captcha";
import { getSandboxEmulator } from "@/lib/eight-by-eight";
import type { EightByEightEmulator } from "@/lib/eight-by-eight/sandbox/emulator";
import { AppError } from "@/lib/http/errors";
import { getStore } from "@/lib/store";
import { solveAltcha } from "../support/altcha";

let emulator: EightByEightEmulator;
beforeAll(async () => {
  emulator = (await getSandboxEmulator())!;
});

let counter = 0;
const nextNumber = () => `+659${String(4_000_000 + (counter += 1) * 6_007).slice(-7)}`;
const admin = "+6580000001";

async function sendFrom(clientIp: string) {
  const request = new NextRequest("http://localhost/api/otp/send", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": clientIp },
    body: JSON.stringify({ phone: nextNumber(), captcha: await solveAltcha(await createAltchaChallenge()) }),
  });
  const response = await send(request);
  return { status: response.status, body: await response.json() };
}

const block = (kind: "block-ip" | "block-subnet", value: string) =>
  addRule({ kind, value, ttlSeconds: 3600, reason: "" }, admin);

function refusal(attempt: () => unknown): AppError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("network blocks refuse every address inside them", () => {
  it("refuses a send from inside a blocked IPv4 /16, before 8x8, and serves its neighbours", async () => {
    await block("block-subnet", "198.51.0.0/16");
    const before = emulator.requestCounts.create;
    const inside = await sendFrom("198.51.100.23");
    expect(inside.status).toBe(403);
    expect(inside.body.error.code).toBe("forbidden");
    expect(emulator.requestCounts.create).toBe(before);
    expect((await sendFrom("198.52.0.23")).status).toBe(202);
  });

  it("refuses sends inside IPv4 blocks of any accepted length, from /8 to /32", async () => {
    await block("block-subnet", "100.0.0.0/8");
    await block("block-subnet", "192.0.2.128/25");
    await block("block-subnet", "203.0.113.77/32");
    expect((await sendFrom("100.200.3.4")).status).toBe(403);
    expect((await sendFrom("192.0.2.200")).status).toBe(403);
    expect((await sendFrom("192.0.2.100")).status).toBe(202);
    expect((await sendFrom("203.0.113.77")).status).toBe(403);
    expect((await sendFrom("203.0.113.78")).status).toBe(202);
  });

  it("refuses sends inside an IPv6 /32 and /40 block, and an address block covers its whole /64", async () => {
    await block("block-subnet", "2001:db8::/32");
    await block("block-subnet", "2a00:1450:4000::/40");
    await block("block-ip", "2a01:4f8:1:2::5");
    expect((await sendFrom("2001:db8:1234:5678::9")).status).toBe(403);
    expect((await sendFrom("2a00:1450:40ff:1::1")).status).toBe(403);
    expect((await sendFrom("2a00:1450:4100:1::1")).status).toBe(202);
    expect((await sendFrom("2a01:4f8:1:2:ffff::1")).status).toBe(403);
    expect((await sendFrom("2a01:4f8:1:3::5")).status).toBe(202);
  });

  it("lists an IPv6 address block as the network it covers, and removes it by that value", async () => {
    await block("block-ip", "2a02:c7f:9:9::abcd");
    const listed = (await listRules()).find((rule) => rule.value.startsWith("2a02:c7f:9:9"));
    expect(listed?.value).toBe("2a02:c7f:9:9::/64");
    expect(await removeRule("block-ip", listed!.value)).toBe(true);
    expect((await sendFrom("2a02:c7f:9:9::abcd")).status).toBe(202);
  });
});

describe("rules read once per process", () => {
  it("reads the rules from the store once, then decides on this process's copy", async () => {
    await block("block-subnet", "45.0.0.0/8");
    const kv = getStore();
    const calls: string[] = [];
    const original = { ...kv };
    for (const [name, method] of Object.entries(original) as [
      keyof typeof kv,
      (...args: unknown[]) => unknown,
    ][])
      Object.assign(kv, {
        [name]: (...args: unknown[]) => {
          calls.push(name);
          return method.apply(kv, args);
        },
      });
    const subject = { clientIp: "45.1.2.3", phone: "+6591234567", country: "SG" };
    try {
      expect((await findApplicableRules(subject, { reload: true })).block?.value).toBe("45.0.0.0/8");
      expect(calls).toEqual(["readVersionedMap"]);
      const again = await findApplicableRules(subject);
      expect(again.block?.value).toBe("45.0.0.0/8");
      expect(calls).toEqual(["readVersionedMap"]);
    } finally {
      Object.assign(kv, original);
    }
  });
});

describe("rule validation accepts only what is enforced", () => {
  it.each([
    ["203.0.113.0/4", "/4"],
    ["2001:db8:1::/50", "/50"],
    ["2001:db8:1:2:3::/80", "/80"],
    ["2001::/12", "/12"],
  ])("refuses block-subnet %s with 400 and the lengths that can be blocked", (value, length) => {
    const error = refusal(() => canonicalRuleValue("block-subnet", value));
    expect(error.code).toBe("bad_request");
    expect(error.details.fields?.value).toBe(
      `${length} can't be blocked: IPv4 networks from /8 to /32; IPv6 networks from /16 to /64 in steps of 4 can. ` +
        "Use block-ip for a single address.",
    );
  });

  it.each([
    ["198.51.100.7/24", "198.51.100.0/24"],
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["2001:DB8:1:2::/64", "2001:db8:1:2::/64"],
    ["2001:db8:abcd::/48", "2001:db8:abcd::/48"],
    ["2001:db8::/16", "2001::/16"],
  ])("accepts block-subnet %s as %s", (value, canonical) => {
    expect(canonicalRuleValue("block-subnet", value)).toBe(canonical);
  });
});
