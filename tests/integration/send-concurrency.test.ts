import { NextRequest } from "next/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { solveAltcha } from "../support/altcha";

/**
 * With a limit of one code per number, 100 parallel sends to that number — each from its own
 * address with its own solved CAPTCHA — reach 8x8 exactly once. The same burst of solved
 * CAPTCHAs switches attack mode on, which makes new challenges dearer.
 */
process.env.RATE_LIMITS = "send.phone=1/15m";
process.env.ATTACK_MODE_SENDS_PER_MINUTE = "20";

type Modules = {
  send: (request: NextRequest) => Promise<Response>;
  createAltchaChallenge: typeof import("@/lib/defenses/captcha").createAltchaChallenge;
  emulator: import("@/lib/eight-by-eight/sandbox/emulator").EightByEightEmulator;
};
let modules: Modules;

afterAll(() => {
  delete process.env.RATE_LIMITS;
  delete process.env.ATTACK_MODE_SENDS_PER_MINUTE;
});

beforeAll(async () => {
  const [{ POST: send }, { createAltchaChallenge }, { getSandboxEmulator }] = await Promise.all([
    import("@/app/api/otp/send/route"),
    import("@/lib/defenses/captcha"),
    import("@/lib/eight-by-eight"),
  ]);
  modules = { send, createAltchaChallenge, emulator: (await getSandboxEmulator())! };
});

it("sends one code when 100 requests for one number arrive at once; raises the proof of work for bots that pass", async () => {
  const { send, createAltchaChallenge, emulator } = modules;
  const normalCost = (await createAltchaChallenge()).parameters.cost;
  const phone = "+6591112222";
  const captchas = await Promise.all(
    Array.from({ length: 100 }, async () => solveAltcha(await createAltchaChallenge())),
  );
  const before = emulator.requestCounts.create;

  const responses = await Promise.all(
    captchas.map((captcha, index) =>
      send(
        new NextRequest("http://localhost/api/otp/send", {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "X-Forwarded-For": `2001:db8:c0c:${index.toString(16)}::1`,
          },
          body: JSON.stringify({ phone, captcha }),
        }),
      ),
    ),
  );

  const statuses = responses.map((response) => response.status);
  expect(statuses.filter((status) => status === 202)).toHaveLength(1);
  expect(statuses.filter((status) => status === 429)).toHaveLength(99);
  expect(emulator.requestCounts.create - before).toBe(1);
  expect(emulator.listMessages(phone)).toHaveLength(1);

  // Only sends that pass every limit count towards attack mode: 100 refused ones did not.
  expect((await createAltchaChallenge()).parameters.cost).toBe(normalCost);
  // Bots rotating addresses and numbers, all solving the proof of work, get through the limits…
  for (let index = 0; index < 21; index += 1) {
    const response = await send(
      new NextRequest("http://localhost/api/otp/send", {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Forwarded-For": `2001:db8:${(0xd00 + index).toString(16)}::1`,
        },
        body: JSON.stringify({
          // Every number under its own prefix, every address in its own network.
          phone: `+65${90_000_000 + index * 10_007}`,
          captcha: await solveAltcha(await createAltchaChallenge()),
        }),
      }),
    );
    expect(response.status).toBe(202);
  }
  // …and the next challenge costs more.
  expect((await createAltchaChallenge()).parameters.cost).toBe(normalCost * 8);
});
