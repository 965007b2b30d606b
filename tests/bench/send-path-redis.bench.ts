import { randomBytes } from "node:crypto";
import { bench, describe, vi } from "vitest";
import { countRedisRoundTrips, isRedisReachable, REDIS_URL } from "../support/redis";
import { reportRoundTrips } from "./round-trips";
import { loadSendRoute, refusedSendRequest } from "./send-decision";

// Store round trips per request, counted, and the in-process cost of a refused send on Redis over
// TCP (`npm run bench`).
vi.mock("@/lib/auth", () => import("../support/auth-stand-in"));
const reachable = await isRedisReachable();
if (reachable) {
  process.env.REDIS_URL = REDIS_URL;
  // Some 70 sends pass in a few seconds here: that is not an attack.
  process.env.ATTACK_MODE_SENDS_PER_MINUTE = "100000";
  process.env.STORE_KEY_PREFIX = `bench:${randomBytes(4).toString("hex")}:`;
  // Each ioredis call or pipeline is one round trip.
  await reportRoundTrips("Redis over TCP", await countRedisRoundTrips(), { networkBase: 0xc000 });
} else {
  console.log("[bench] Redis does not answer at 127.0.0.1:6379: no Redis round trips counted");
}
const { send } = await loadSendRoute();
let counter = 0;
const nextAddress = () => `2001:db8:bf:${(counter += 1).toString(16)}::1`;

describe.runIf(reachable)("send path, Redis over TCP", () => {
  bench("refused: forged CAPTCHA (the typical pumping bot)", async () => {
    await send(refusedSendRequest(nextAddress()));
  });
});
