import { spawnSync } from "node:child_process";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { solveAltcha } from "../support/altcha";
import { DisposableRedis } from "../support/redis";

/**
 * The send route on a Redis store that goes away: 503 within the store deadline and no SMS, then
 * normal service again once Redis is back, without restarting anything.
 */
const redisServerInstalled = spawnSync("redis-server", ["--version"]).status === 0;
const redis = new DisposableRedis(47_379 + Math.floor(Math.random() * 1000));

type Routes = {
  send: (request: NextRequest) => Promise<Response>;
  captcha: () => Promise<string>;
  health: () => Promise<Response>;
  sentTo: (phone: string) => Promise<number>;
};
let routes: Routes;

beforeAll(async () => {
  if (!redisServerInstalled) return;
  await redis.start();
  process.env.REDIS_URL = redis.url;
  process.env.STORE_TIMEOUT_MS = "300";
  const [{ POST: send }, { GET: health }, { getSandboxEmulator }, { createAltchaChallenge }] =
    await Promise.all([
      import("@/app/api/otp/send/route"),
      import("@/app/api/health/route"),
      import("@/lib/eight-by-eight"),
      import("@/lib/defenses/captcha"),
    ]);
  const emulator = (await getSandboxEmulator())!;
  routes = {
    send,
    health,
    captcha: async () => solveAltcha(await createAltchaChallenge()),
    sentTo: async (phone) => emulator.listMessages(phone).length,
  };
});

afterAll(async () => {
  delete process.env.REDIS_URL;
  delete process.env.STORE_TIMEOUT_MS;
  await redis.stop();
});

let counter = 0;
const sendRequest = (phone: string, captcha: string) => {
  counter += 1;
  return new NextRequest("http://localhost/api/otp/send", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": `2001:db8:beef:${counter}::1` },
    body: JSON.stringify({ phone, captcha }),
  });
};

it("runs where redis-server is installed, and CI always has it", () => {
  if (!redisServerInstalled)
    console.warn("redis-server is not installed: the Redis outage test did not run.");
  if (process.env.CI) expect(redisServerInstalled, "CI must run the Redis outage test").toBe(true);
});

describe.runIf(redisServerInstalled)("sending codes while Redis is down", () => {
  it("answers 503 quickly and sends nothing, then recovers when Redis returns", async () => {
    expect((await routes.send(sendRequest("+6581110001", await routes.captcha()))).status).toBe(202);
    const solvedBeforeTheOutage = await routes.captcha();
    expect((await (await routes.health()).json()).store).toBe("redis");

    await redis.stop();
    const started = Date.now();
    const refused = await routes.send(sendRequest("+6581110002", solvedBeforeTheOutage));
    expect(refused.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await refused.json()).toEqual({
      error: {
        code: "unavailable",
        message: "We can't send or check codes right now. Please try again in a minute.",
      },
    });
    expect(await routes.sentTo("+6581110002")).toBe(0);
    expect((await routes.health()).status).toBe(503);

    await redis.start();
    let status = 0;
    for (let attempt = 0; attempt < 40 && status !== 202; attempt += 1) {
      const captcha = await routes.captcha().catch(() => "");
      status = (await routes.send(sendRequest(`+658111${String(1000 + attempt)}`, captcha))).status;
      if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(202);
    expect((await routes.health()).status).toBe(200);
  });
});
