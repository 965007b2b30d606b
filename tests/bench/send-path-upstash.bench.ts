import { randomBytes } from "node:crypto";
import { bench, describe, vi } from "vitest";
import { isRedisReachable, startUpstashBridge } from "../support/redis";
import { reportRoundTrips } from "./round-trips";
import { loadSendRoute, refusedSendRequest } from "./send-decision";

// Store round trips per request, counted, and the in-process cost of a refused send on the Upstash
// REST backend, here through the local Upstash-compatible bridge in front of the machine's Redis
// (`npm run bench`).
vi.mock("@/lib/auth", () => import("../support/auth-stand-in"));
const reachable = await isRedisReachable();
if (reachable) {
  const bridge = await startUpstashBridge();
  process.env.UPSTASH_REDIS_REST_URL = bridge.url;
  process.env.UPSTASH_REDIS_REST_TOKEN = bridge.token;
  // Some 70 sends pass in a few seconds here: that is not an attack.
  process.env.ATTACK_MODE_SENDS_PER_MINUTE = "100000";
  process.env.STORE_KEY_PREFIX = `bench:${randomBytes(4).toString("hex")}:`;
  // Each HTTP request to the REST endpoint is one round trip; Upstash bills each command in it.
  await reportRoundTrips("Upstash over REST", bridge.requests, {
    commands: bridge.commands,
    networkBase: 0xc400,
  });
} else {
  console.log("[bench] Redis does not answer at 127.0.0.1:6379: no Upstash round trips counted");
}
const { send } = await loadSendRoute();
let counter = 0;
const nextAddress = () => `2001:db8:c1:${(counter += 1).toString(16)}::1`;

describe.runIf(reachable)("send path, Upstash over REST (local bridge)", () => {
  bench("refused: forged CAPTCHA (the typical pumping bot)", async () => {
    await send(refusedSendRequest(nextAddress()));
  });
});
