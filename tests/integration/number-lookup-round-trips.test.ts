import { randomBytes } from "node:crypto";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { solveAltcha } from "../support/altcha";
import { countRedisRoundTrips, isRedisReachable, REDIS_URL } from "../support/redis";

/**
 * What 8x8 Number Lookup costs in store round trips on Redis over TCP (each ioredis call or
 * pipeline is one), the writes after the response included: nothing for a number not in doubt,
 * one read for a number whose answer is cached.
 */

const reachable = await isRedisReachable();
let counter = 0;
const ownNetwork = () => `2001:db8:${(0x1d00 + (counter += 1)).toString(16)}::1`;

it("runs where Redis answers, and CI always has it", () => {
  if (process.env.CI) expect(reachable, "CI must count store round trips").toBe(true);
});

describe.runIf(reachable)("store round trips of number lookups", () => {
  let send: (request: NextRequest) => Promise<Response>;
  let captcha: () => Promise<string>;
  let flush: () => Promise<void>;
  let lookups: () => number;
  let roundTrips: { read(): number };

  beforeAll(async () => {
    process.env.REDIS_URL = REDIS_URL;
    process.env.STORE_KEY_PREFIX = `lookup-round-trips:${randomBytes(4).toString("hex")}:`;
    process.env.NUMBER_LOOKUP_COUNTRIES = "US";
    roundTrips = await countRedisRoundTrips();
    const [route, { getSandboxEmulator }, { createAltchaChallenge }, events] = await Promise.all([
      import("@/app/api/otp/send/route"),
      import("@/lib/eight-by-eight"),
      import("@/lib/defenses/captcha"),
      import("@/lib/events"),
    ]);
    const emulator = (await getSandboxEmulator())!;
    send = route.POST;
    captcha = async () => solveAltcha(await createAltchaChallenge());
    flush = events.flushThrottleEvents;
    lookups = () => emulator.requestCounts.lookup;
    // Loads the scripts, the operator rules and the hour's sealing key, as the first send of an
    // instance does (the key with the first refusal that names a number: a landline's).
    await send(sendRequest("+6581238999", await captcha()));
    await send(sendRequest("+6562380000", await captcha()));
    await flush();
  });

  const sendRequest = (phone: string, solution: string) =>
    new NextRequest("http://localhost/api/otp/send", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Forwarded-For": ownNetwork() },
      body: JSON.stringify({ phone, captcha: solution }),
    });

  /** Round trips and lookups of one send, with the writes it leaves for after the response. */
  async function counted(phone: string) {
    const solution = await captcha();
    await flush();
    const before = { roundTrips: roundTrips.read(), lookups: lookups() };
    const response = await send(sendRequest(phone, solution));
    await flush();
    return {
      status: response.status,
      roundTrips: roundTrips.read() - before.roundTrips,
      lookups: lookups() - before.lookups,
    };
  }

  it("adds no store command and no lookup to a send to a number not in doubt", async () => {
    // A mobile number, and a Canadian one (Canada is not listed): the send's own two round trips.
    expect(await counted("+6581238001")).toEqual({ status: 202, roundTrips: 2, lookups: 0 });
    expect(await counted("+16135550107")).toEqual({ status: 202, roundTrips: 2, lookups: 0 });
  });

  it("adds one read for a number whose answer is cached, and five round trips around a new lookup", async () => {
    // Cache read, the solution's lookup mark, then the answer and the hour's count (two).
    expect(await counted("+17025550166")).toEqual({ status: 403, roundTrips: 1 + 4 + 1, lookups: 1 });
    // The refusal's event is the one round trip after the lookup's.
    expect(await counted("+17025550166")).toEqual({ status: 403, roundTrips: 1 + 1, lookups: 0 });
    expect(await counted("+17185550101")).toEqual({ status: 202, roundTrips: 2 + 4 + 1, lookups: 1 });
    expect(await counted("+17185550101")).toMatchObject({ lookups: 0 });
  });
});
