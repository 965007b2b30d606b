import { spawnSync } from "node:child_process";
import IORedis from "ioredis";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadSignInRoutes, type SignInRoutes } from "../support/sign-in-routes";
import { DisposableRedis } from "../support/redis";

/**
 * The store work of a sign-in, counted by Redis itself (`INFO commandstats`) on a private
 * redis-server: the same on a Redis holding 200,000 keys as on an empty one, and never a command
 * that walks the keyspace (@upstash/ratelimit's `resetUsedTokens` ran a SCAN inside Lua on every
 * successful sign-in, blocking a large Redis for over a second).
 */

// Auth.js's signIn needs a Next.js request scope: see tests/support/auth-stand-in.ts.
vi.mock("@/lib/auth", () => import("../support/auth-stand-in"));

const redisServerInstalled = spawnSync("redis-server", ["--version"]).status === 0;
const redis = new DisposableRedis(48_379 + Math.floor(Math.random() * 1000));
let admin: IORedis;

let routes: SignInRoutes;

beforeAll(async () => {
  if (!redisServerInstalled) return;
  await redis.start();
  admin = new IORedis(redis.url);
  process.env.REDIS_URL = redis.url;
  routes = await loadSignInRoutes();
});

afterAll(async () => {
  delete process.env.REDIS_URL;
  admin?.disconnect();
  await redis.stop();
});

/** Commands Redis has run, by name (the INFO calls of this test left out). */
async function commandCounts(): Promise<Map<string, number>> {
  const info = await admin.info("commandstats");
  const counts = new Map<string, number>();
  for (const [, name, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name !== "info") counts.set(name!, Number(calls));
  }
  return counts;
}

function difference(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const result = new Map<string, number>();
  for (const [name, calls] of after) {
    const delta = calls - (before.get(name) ?? 0);
    if (delta > 0) result.set(name, delta);
  }
  return result;
}

let sequence = 0;
const request = (path: string, body: unknown, cookie = "") => {
  sequence += 1;
  return new NextRequest(`http://localhost${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Forwarded-For": `2001:db8:cafe:${sequence.toString(16)}::1`,
      Cookie: cookie,
    },
    body: JSON.stringify(body),
  });
};

/** One whole sign-in, send and verify; returns the commands Redis ran for it. */
async function signIn(phone: string): Promise<Map<string, number>> {
  const captcha = await routes.captcha();
  await routes.flush();
  const before = await commandCounts();
  const sent = await routes.send(request("/api/otp/send", { phone, captcha }));
  expect(sent.status).toBe(202);
  const cookie = sent.headers.get("set-cookie")!.split(";")[0]!;
  const verified = await routes.verify(
    request("/api/otp/verify", { code: routes.latestCode(phone) }, cookie),
  );
  expect(verified.status).toBe(200);
  // The traffic counts are written in batches after the response: this sign-in's, not the next's.
  await routes.flush();
  return difference(await commandCounts(), before);
}

const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, calls) => sum + calls, 0);

it("runs where redis-server is installed, and CI always has it", () => {
  if (!redisServerInstalled) console.warn("redis-server is not installed: the store-work test did not run.");
  if (process.env.CI) expect(redisServerInstalled, "CI must run the store-work test").toBe(true);
});

describe.runIf(redisServerInstalled)("store work of a sign-in", () => {
  it("is the same on a Redis with 200,000 keys as on an empty one, and never walks the keyspace", async () => {
    await signIn("+6581230001"); // warms the scripts (EVALSHA falls back to EVAL once)
    const onEmpty = await signIn("+6581230002");

    await admin.call("DEBUG", "POPULATE", "200000", "filler");
    expect(await admin.dbsize()).toBeGreaterThanOrEqual(200_000);
    const onFull = await signIn("+6581230003");

    expect(onFull).toEqual(onEmpty);
    expect(total(onFull)).toBeGreaterThan(0);
    for (const walker of ["scan", "keys", "hscan", "sscan", "zscan"]) {
      expect(onFull.get(walker), walker).toBeUndefined();
    }
  });
});
