import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { POST as send } from "@/app/api/otp/send/route";
import { createAltchaChallenge } from "@/lib/defenses/captcha";
import { ageResendDelay } from "@/lib/defenses/limits";
import { readNumberLookupUsage } from "@/lib/defenses/number-lookup";
import { getSandboxEmulator } from "@/lib/eight-by-eight";
import type { EightByEightEmulator } from "@/lib/eight-by-eight/sandbox/emulator";
import { getThrottleEventLog } from "@/lib/events";
import { solveAltcha } from "../support/altcha";

/**
 * 8x8 Number Lookup through the real send route, against the sandbox's lookup fixtures
 * (lib/eight-by-eight/sandbox/emulator.ts): US numbers NXX-555-01YY, where YY picks the answer.
 * US numbers are in doubt here (NUMBER_LOOKUP_COUNTRIES=US); Canadian ones are not.
 */
vi.hoisted(() => {
  process.env.NUMBER_LOOKUP_COUNTRIES = "US";
});

let emulator: EightByEightEmulator;
beforeAll(async () => {
  emulator = (await getSandboxEmulator())!;
});

let counter = 0;
/** Each call its own /48, so no test meets another's address or network budget. */
const nextClientIp = () => `2001:db8:${(0x1c00 + (counter += 1)).toString(16)}::1`;
const solved = async () => solveAltcha(await createAltchaChallenge());

function sendRequest(phone: string, captcha: string, address = nextClientIp()) {
  return new NextRequest("http://localhost/api/otp/send", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": address },
    body: JSON.stringify({ phone, captcha }),
  });
}

async function sendTo(phone: string, captcha?: string, address?: string) {
  const response = await send(sendRequest(phone, captcha ?? (await solved()), address));
  return { status: response.status, body: await response.json() };
}

/** Lookups and sends that reached the sandbox while `run` ran. */
async function reaching8x8(run: () => Promise<void>): Promise<{ lookups: number; sends: number }> {
  const before = { ...emulator.requestCounts };
  await run();
  return {
    lookups: emulator.requestCounts.lookup - before.lookup,
    sends: emulator.requestCounts.create - before.create,
  };
}

const notMobile = "We can't send codes to this kind of number. Please use a mobile number.";

describe("8x8 Number Lookup for numbers in doubt", () => {
  it.each([
    ["+12015550166", "lookup.line_type.premium_rate"],
    ["+12015550144", "lookup.line_type.voip"],
    ["+12015550125", "lookup.line_type.fixed_line"],
    ["+12015550195", "lookup.line_type.unknown"], // 8x8 cannot read it (400 / 1002)
  ])("refuses %s by 8x8's answer, with no SMS sent (%s)", async (phone, rule) => {
    const address = nextClientIp();
    const reached = await reaching8x8(async () => {
      const { status, body } = await sendTo(phone, undefined, address);
      expect(status).toBe(403);
      expect(body.error).toEqual({
        code: "destination_blocked",
        message: notMobile,
        fields: { phone: notMobile },
      });
    });
    expect(reached).toEqual({ lookups: 1, sends: 0 });
    expect(emulator.listMessages(phone)).toHaveLength(0);

    await new Promise((resolve) => setTimeout(resolve, 400)); // events are written in batches
    const { events } = await getThrottleEventLog().list({ limit: 1, filters: { ip: address } });
    expect(events[0]?.rule).toBe(rule);
  });

  it("sends to a number 8x8 calls mobile, and does not look it up again", async () => {
    const phone = "+12125550107";
    expect(await reaching8x8(async () => expect((await sendTo(phone)).status).toBe(202))).toEqual({
      lookups: 1,
      sends: 1,
    });
    expect(emulator.listMessages(phone)).toHaveLength(1);

    emulator.advancePendingSession(phone, 3600);
    await ageResendDelay(phone, 86_400);
    expect(await reaching8x8(async () => expect((await sendTo(phone)).status).toBe(202))).toEqual({
      lookups: 0,
      sends: 1,
    });
  });

  it("remembers a refusal too: a refused number is looked up once", async () => {
    const phone = "+12135550160";
    const reached = await reaching8x8(async () => {
      for (let attempt = 0; attempt < 3; attempt += 1) expect((await sendTo(phone)).status).toBe(403);
    });
    expect(reached).toEqual({ lookups: 1, sends: 0 });
  });

  it("sends to a number 8x8 cannot tell mobile from fixed line either, as the destination policy does", async () => {
    const phone = "+13055550183";
    expect(await reaching8x8(async () => expect((await sendTo(phone)).status).toBe(202))).toEqual({
      lookups: 1,
      sends: 1,
    });
  });

  it("answers 503 with no SMS while 8x8's lookup fails, caches nothing, and sends once it answers", async () => {
    const phone = "+13125550111";
    for (const kind of ["server_error", "hang", "malformed"] as const) {
      emulator.addFault({ kind, operation: "lookup", destination: phone, times: 1 });
      const reached = await reaching8x8(async () => {
        const { status, body } = await sendTo(phone);
        expect(status).toBe(503);
        expect(body.error.code).toBe("unavailable");
      });
      expect(reached).toEqual({ lookups: 1, sends: 0 });
    }
    expect(await reaching8x8(async () => expect((await sendTo(phone)).status).toBe(202))).toEqual({
      lookups: 1,
      sends: 1,
    });
  });

  it("lets one CAPTCHA solution pay for one lookup only", async () => {
    const captcha = await solved();
    const reached = await reaching8x8(async () => {
      expect((await sendTo("+15035550162", captcha)).status).toBe(403); // premium rate, by lookup
      const replay = await sendTo("+15035550163", captcha);
      expect(replay.status).toBe(403);
      expect(replay.body.error.code).toBe("captcha_failed");
    });
    expect(reached).toEqual({ lookups: 1, sends: 0 });
  });

  it("never looks up numbers offline screening vouches for", async () => {
    const clean = ["+6581237001", "+447400123701", "+16135550166"]; // the Canadian one matches a fixture
    const reached = await reaching8x8(async () => {
      for (const phone of clean) expect((await sendTo(phone)).status).toBe(202);
    });
    expect(reached).toEqual({ lookups: 0, sends: 3 });
  });

  it("counts the lookups 8x8 answered in this hour, for the console", async () => {
    const before = await readNumberLookupUsage(1);
    await sendTo("+16175550108");
    await sendTo("+16175550128");
    const after = await readNumberLookupUsage(1);
    expect(after.lookups - before.lookups).toBe(2);
    expect(after.hours).toHaveLength(1);
    // `format` lookups (the default) are free.
    expect(after).toMatchObject({ lookupType: "format", estimatedCostUsd: 0 });
  });
});
