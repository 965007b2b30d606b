import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DisposableRedis } from "../support/redis";

/**
 * Deleting an account while the store is down deletes nothing (fail closed: the account page says
 * to try again), and the same deletion succeeds once the store is back.
 */
const redisServerInstalled = spawnSync("redis-server", ["--version"]).status === 0;
const redis = new DisposableRedis(46_379 + Math.floor(Math.random() * 1000));

beforeAll(async () => {
  if (!redisServerInstalled) return;
  await redis.start();
  process.env.REDIS_URL = redis.url;
  process.env.STORE_TIMEOUT_MS = "300";
});

afterAll(async () => {
  delete process.env.REDIS_URL;
  delete process.env.STORE_TIMEOUT_MS;
  await redis.stop();
});

it("runs where redis-server is installed, and CI always has it", () => {
  if (process.env.CI) expect(redisServerInstalled, "CI must run the outage test").toBe(true);
});

describe.runIf(redisServerInstalled)("deleting an account with the store down", () => {
  it("deletes nothing, then completes once the store answers again", async () => {
    const { recordVerifiedSignIn, getUserById } = await import("@/lib/accounts/users");
    const { createSession, findActiveSession } = await import("@/lib/accounts/sessions");
    const { deleteAccount } = await import("@/lib/privacy/delete-account");
    const { isStoreUnavailable } = await import("@/lib/store");
    const phone = "+6596800002";
    const { user } = await recordVerifiedSignIn(phone);
    const session = await createSession(user.id, "sms", { userAgent: "test", network: "203.0.113.0/24" });

    await redis.stop();
    const failure = await deleteAccount({ userId: user.id, phone }).catch((error: unknown) => error);
    expect(isStoreUnavailable(failure)).toBe(true);
    expect(await getUserById(user.id)).not.toBeNull();
    expect(await findActiveSession(session.id)).not.toBeNull();

    await redis.start();
    await expect
      .poll(async () => (await deleteAccount({ userId: user.id, phone }).catch(() => null))?.deleted, {
        timeout: 10_000,
      })
      .toBe(true);
    expect(await getUserById(user.id)).toBeNull();
    expect(await findActiveSession(session.id)).toBeNull();
  });
});
