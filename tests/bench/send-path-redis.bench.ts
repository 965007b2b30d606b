import { randomBytes } from "node:crypto";
import { NextRequest } from "next/server";
import { bench, describe, vi } from "vitest";
import { solveAltcha } from "../support/altcha";
import { countRedisRoundTrips, isRedisReachable, REDIS_URL } from "../support/redis";
import { loadSendRoute, refusedSendRequest } from "./send-decision";

// In-process cost and Redis round trips of send decisions on Redis over TCP (`npm run bench`).

// Auth.js's signIn needs a Next.js request scope: see tests/support/auth-stand-in.ts.
vi.mock("@/lib/auth", () => import("../support/auth-stand-in"));
const reachable = await isRedisReachable();
if (reachable) {
  process.env.REDIS_URL = REDIS_URL;
  process.env.STORE_KEY_PREFIX = `bench:${randomBytes(4).toString("hex")}:`;
}
const roundTrips = await countRedisRoundTrips();
const { send, createAltchaChallenge } = await loadSendRoute();
const [{ POST: verify }, { getSandboxEmulator }] = await Promise.all([
  import("@/app/api/otp/verify/route"),
  import("@/lib/eight-by-eight"),
]);
let counter = 0;
const nextAddress = () => `2001:db8:bf:${(counter += 1).toString(16)}::1`;
/** An address in a /48 of its own, so sign-ins never meet the network limit. */
const ownNetwork = () => `2001:db8:${(0xc000 + (counter += 1)).toString(16)}::1`;

if (reachable) {
  // Counted, not estimated: round trips per decision, averaged over 20 of each kind.
  const measure = async (label: string, run: () => Promise<unknown>) => {
    const before = roundTrips.read();
    for (let index = 0; index < 20; index += 1) await run();
    console.log(`[bench] Redis round trips per ${label}: ${((roundTrips.read() - before) / 20).toFixed(2)}`);
  };
  await measure("send refused for a forged CAPTCHA", () => send(refusedSendRequest(nextAddress())));
  // A whole sign-in: the accepted send and the right code, counted separately.
  const emulator = (await getSandboxEmulator())!;
  const solvedForSignIns = await Promise.all(
    Array.from({ length: 21 }, async () => solveAltcha(await createAltchaChallenge())),
  );
  const cookies: string[] = [];
  const phones: string[] = [];
  await send(sendWith(ownNetwork(), "+6581249999", solvedForSignIns.pop()!)); // loads the scripts
  await measure("accepted send", async () => {
    const phone = `+658${String(2_000_000 + phones.length * 104_729).slice(-7)}`; // many prefixes
    const response = await send(sendWith(ownNetwork(), phone, solvedForSignIns.pop()!));
    if (response.status !== 202)
      throw new Error(`send ${phone}: ${response.status} ${await response.text()}`);
    phones.push(phone);
    cookies.push(response.headers.get("set-cookie")!.split(";")[0]!);
  });
  let signedIn = 0;
  await measure("verify with the right code", async () => {
    const phone = phones[signedIn]!;
    const code = emulator.listMessages(phone)[0]!.code;
    const response = await verify(verifyWith(ownNetwork(), code, cookies[signedIn]!));
    if (response.status === 200) signedIn += 1;
  });
  console.log(`[bench] sign-ins completed while counting: ${signedIn}/20`);
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

function verifyWith(address: string, code: string, cookie: string): NextRequest {
  return new NextRequest("http://localhost/api/otp/verify", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": address, Cookie: cookie },
    body: JSON.stringify({ code }),
  });
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
