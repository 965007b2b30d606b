import { randomBytes } from "node:crypto";
import { bench, describe } from "vitest";
import { isRedisReachable, startUpstashBridge } from "../support/redis";
import { loadSendRoute, refusedSendRequest } from "./send-decision";

// In-process cost of a refused send decision on the Upstash REST backend, here through the local
// Upstash-compatible bridge in front of the machine's Redis (`npm run bench`).
const reachable = await isRedisReachable();
if (reachable) {
  const bridge = await startUpstashBridge();
  process.env.UPSTASH_REDIS_REST_URL = bridge.url;
  process.env.UPSTASH_REDIS_REST_TOKEN = bridge.token;
  process.env.STORE_KEY_PREFIX = `bench:${randomBytes(4).toString("hex")}:`;
}
const { send } = await loadSendRoute();
let counter = 0;
const nextAddress = () => `2001:db8:c1:${(counter += 1).toString(16)}::1`;

describe.runIf(reachable)("send path, Upstash over REST (local bridge)", () => {
  bench("refused: forged CAPTCHA (the typical pumping bot)", async () => {
    await send(refusedSendRequest(nextAddress()));
  });
});
