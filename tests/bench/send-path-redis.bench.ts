import { randomBytes } from "node:crypto";
import { NextRequest } from "next/server";
import { bench, describe } from "vitest";
import { solveAltcha } from "../support/altcha";
import { isRedisReachable, REDIS_URL } from "../support/redis";
import { countRedisRoundTrips, loadSendRoute, refusedSendRequest } from "./send-decision";

// In-process cost and Redis round trips of refused send decisions on Redis over TCP (`npm run bench`).
const reachable = await isRedisReachable();
if (reachable) {
  process.env.REDIS_URL = REDIS_URL;
  process.env.STORE_KEY_PREFIX = `bench:${randomBytes(4).toString("hex")}:`;
}
const roundTrips = await countRedisRoundTrips();
const { send, createAltchaChallenge } = await loadSendRoute();
let counter = 0;
const nextAddress = () => `2001:db8:bf:${(counter += 1).toString(16)}::1`;

if (reachable) {
  // Counted, not estimated: round trips per decision, averaged over 20 of each kind.
  const measure = async (label: string, run: () => Promise<unknown>) => {
    const before = roundTrips.read();
    for (let index = 0; index < 20; index += 1) await run();
    console.log(`[bench] Redis round trips per ${label}: ${((roundTrips.read() - before) / 20).toFixed(2)}`);
  };
  await measure("send refused for a forged CAPTCHA", () => send(refusedSendRequest(nextAddress())));
  const address = nextAddress();
  const captchas = await Promise.all(
    Array.from({ length: 26 }, async () => solveAltcha(await createAltchaChallenge())),
  );
  for (let index = 0; index < 6; index += 1) {
    await send(sendWith(address, `+65812${String(30000 + index)}`, captchas.pop()!));
  }
  await measure("send refused by the address limit (CAPTCHA solved)", () =>
    send(sendWith(address, `+65812${String(31000 + counter)}`, captchas.pop()!)),
  );
}

function sendWith(address: string, phone: string, captcha: string): NextRequest {
  return new NextRequest("http://localhost/api/otp/send", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": address },
    body: JSON.stringify({ phone, captcha }),
  });
}

describe.runIf(reachable)("send path, Redis over TCP", () => {
  bench("refused: forged CAPTCHA (the typical pumping bot)", async () => {
    await send(refusedSendRequest(nextAddress()));
  });
});
