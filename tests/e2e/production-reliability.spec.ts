import { connect, createServer } from "node:net";
import { solveChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import IORedis from "ioredis";
import { startBuiltServer, type BuiltServer } from "../support/instance";
import { DisposableRedis } from "../support/redis";
import { sandboxServerEnv } from "../support/server-env";
import { expect, randomPhone, test } from "./support";

/**
 * The production build (`next build` + `npm start`) against a Redis this spec owns: stopped,
 * paused, stalled and full mid-run. Vitest cannot show these: it loads the app as one module graph,
 * where the build has several copies of each module. The webServer's build is reused; the
 * servers started here have ports of their own, E2E_PORT + 10 to + 99.
 */
// One test at a time (they share a Redis), each on its own even when an earlier one failed; each
// starts a server of its own, which takes seconds on a busy machine.
test.describe.configure({ mode: "default", timeout: 90_000 });

const base = Number(process.env.E2E_PORT ?? 3100);
const ports = { faults: base + 10, shutdown: base + 11, busy: base + 12, redis: base + 50 };

/** A hang guard, not a timing: the store deadline is 1 s, the promise is an answer within 3 s. */
const ANSWER_WITHIN_MS = 5_000;

const redis = new DisposableRedis(ports.redis);

function serverEnv(prefix: string): Record<string, string> {
  return {
    ...sandboxServerEnv,
    REDIS_URL: redis.url,
    STORE_KEY_PREFIX: prefix,
    STORE_TIMEOUT_MS: "1000",
  };
}

let clientCount = 0;
/** A documentation address (and /64) of its own for each call, so no per-IP limit carries over. */
const nextClientIp = () => `2001:db8:${(clientCount += 1).toString(16)}::1`;

type Answer = { status: number; body: Record<string, unknown>; cookie: string };

async function call(
  server: BuiltServer,
  path: string,
  init: { method?: string; ip?: string; json?: unknown; cookie?: string; within?: number } = {},
): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers: {
      "X-Forwarded-For": init.ip ?? nextClientIp(),
      ...(init.json === undefined ? {} : { "Content-Type": "application/json" }),
      ...(init.cookie ? { Cookie: init.cookie } : {}),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
    signal: AbortSignal.timeout(init.within ?? ANSWER_WITHIN_MS),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    cookie: response.headers
      .getSetCookie()
      .map((line) => line.split(";")[0])
      .join("; "),
  };
}

/** A code sent while the store works: the browser's pending-verification cookie, for a check made during a fault. */
async function pendingVerification(server: BuiltServer): Promise<string> {
  const sent = await call(server, "/api/otp/send", {
    json: { phone: randomPhone().e164, captcha: await solvedCaptcha(server) },
  });
  expect(sent.status).toBe(202);
  return sent.cookie;
}

/** A solved ALTCHA payload, fetched while the store works, for a send made during a fault. */
async function solvedCaptcha(server: BuiltServer): Promise<string> {
  const { status, body: challenge } = await call(server, "/api/captcha/challenge");
  expect(status).toBe(200);
  const solution = await solveChallenge({ challenge: challenge as never, deriveKey });
  return Buffer.from(JSON.stringify({ challenge, solution })).toString("base64");
}

/**
 * Every route that needs the store, while it is broken: each answers, and with 503; the server's
 * log names the store as the reason, never an internal error.
 */
async function expectEveryRouteUnavailable(
  server: BuiltServer,
  { captcha, pending }: { captcha: string; pending: string },
  health: string,
) {
  const logFrom = server.output().length;
  const [healthAnswer, challenge, send, verify] = await Promise.all([
    call(server, "/api/health"),
    call(server, "/api/captcha/challenge"),
    call(server, "/api/otp/send", { json: { phone: randomPhone().e164, captcha } }),
    call(server, "/api/otp/verify", { json: { code: "123456" }, cookie: pending }),
  ]);
  expect(healthAnswer).toMatchObject({ status: 503, body: { status: health } });
  for (const answer of [challenge, send, verify]) {
    expect(answer).toMatchObject({ status: 503, body: { error: { code: "unavailable" } } });
  }
  const log = () => server.output().slice(logFrom);
  expect(log()).toContain("store unavailable: refusing");
  // The refusals' throttle events carry the store's rule; the store cannot take them now, so the
  // batch that fails to be written is logged with its rules.
  await expect.poll(log, { timeout: 10_000 }).toContain("store_unavailable");
  expect(log()).not.toContain("internal_error");
  expect(log()).not.toContain("Unhandled error");
}

async function expectRecovered(server: BuiltServer) {
  await expect.poll(async () => (await call(server, "/api/health")).status, { timeout: 15_000 }).toBe(200);
  expect((await call(server, "/api/captcha/challenge")).status).toBe(200);
}

test.beforeAll(async () => {
  await redis.start();
});

test.afterAll(async () => {
  await redis.stop();
});

test.describe("a production server whose Redis fails", () => {
  let server: BuiltServer;

  test.beforeAll(async () => {
    server = await startBuiltServer(ports.faults, serverEnv(`e2e-faults:${Date.now()}:`));
    expect((await call(server, "/api/health")).status).toBe(200);
  });

  test.afterAll(async () => {
    server?.signal("SIGKILL");
    await server?.exited;
  });

  test("answers 503 unavailable on every route while Redis is stopped, and recovers when it is back", async () => {
    const ready = { captcha: await solvedCaptcha(server), pending: await pendingVerification(server) };
    await redis.stop();
    try {
      await expectEveryRouteUnavailable(server, ready, "unavailable");
    } finally {
      await redis.start();
    }
    await expectRecovered(server);
  });

  test("answers 503 unavailable on every route while Redis is paused, and recovers when it resumes", async () => {
    const ready = { captcha: await solvedCaptcha(server), pending: await pendingVerification(server) };
    redis.pause();
    try {
      await expectEveryRouteUnavailable(server, ready, "unavailable");
    } finally {
      redis.resume();
    }
    await expectRecovered(server);
  });

  test("answers 503 unavailable on every route while Redis is stalled past the deadline", async () => {
    const ready = { captcha: await solvedCaptcha(server), pending: await pendingVerification(server) };
    const admin = new IORedis(redis.url);
    try {
      const sleeping = admin.call("DEBUG", "SLEEP", "4").catch(() => "interrupted");
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expectEveryRouteUnavailable(server, ready, "unavailable");
      await sleeping;
    } finally {
      admin.disconnect();
    }
    await expectRecovered(server);
  });

  test("says degraded in health and refuses send and verify with 503 while Redis refuses writes", async () => {
    const ready = { captcha: await solvedCaptcha(server), pending: await pendingVerification(server) };
    const admin = new IORedis(redis.url);
    await admin.config("SET", "maxmemory", "1");
    try {
      // PING still answers: only a write shows that no limit can be counted.
      expect(await admin.ping()).toBe("PONG");
      await expectEveryRouteUnavailable(server, ready, "degraded");
      expect((await call(server, "/api/health")).body).toMatchObject({
        storeReachable: true,
        storeWritable: false,
      });
    } finally {
      await admin.config("SET", "maxmemory", "0");
      admin.disconnect();
    }
    await expectRecovered(server);
  });
});

test.describe("stopping a production server", () => {
  /** SIGTERM, then the exit (a hang guard: the server promises to exit within 10 s). */
  async function expectCleanExit(server: BuiltServer, { soft = false } = {}) {
    const exit = await Promise.race([
      server.exited,
      new Promise((resolve) => setTimeout(resolve, 15_000, "still running")),
    ]);
    (soft ? expect.soft : expect)(exit).toEqual({ code: 0, signal: null });
  }

  test("finishes the request in flight on SIGTERM and accepts no new connection", async () => {
    const server = await startBuiltServer(ports.shutdown, serverEnv(`e2e-drain:${Date.now()}:`));
    try {
      // A send that waits 3 s on 8x8 when the signal arrives: its limits are spent already.
      const phone = randomPhone().e164;
      const fault = await call(server, "/api/sandbox/faults", {
        json: { kind: "slow", destination: phone, operation: "create", delayMs: 3000 },
      });
      expect(fault.status).toBe(201);
      const slowSend = call(server, "/api/otp/send", {
        json: { phone, captcha: await solvedCaptcha(server) },
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      server.signal("SIGTERM");

      await new Promise((resolve) => setTimeout(resolve, 500));
      const newConnection = await new Promise<string>((resolve) => {
        const socket = connect(ports.shutdown, "localhost");
        socket.once("connect", () => resolve((socket.destroy(), "connected")));
        socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
      expect(newConnection).toBe("ECONNREFUSED");
      expect((await slowSend).status).toBe(202);
      await expectCleanExit(server);
    } finally {
      server.signal("SIGKILL");
    }
  });

  test("writes every refusal answered just before SIGTERM", async () => {
    const prefix = `e2e-shutdown:${Date.now()}:`;
    const server = await startBuiltServer(ports.shutdown, serverEnv(prefix));
    try {
      // The route loaded first (a refusal of another rule: no CAPTCHA), then a burst of 120
      // refusals (the honeypot field) from a cold start's worth of concurrency; their events are
      // batched.
      expect((await call(server, "/api/otp/send", { json: { phone: "0" } })).status).toBe(403);
      const burst = await Promise.all(
        Array.from({ length: 120 }, () =>
          call(server, "/api/otp/send", {
            json: { phone: randomPhone().e164, website: "bot" },
            within: 30_000,
          }),
        ),
      );
      expect(burst.every((answer) => answer.status === 403)).toBe(true);
      server.signal("SIGTERM");
      await expectCleanExit(server, { soft: true });
    } finally {
      server.signal("SIGKILL");
    }

    const admin = new IORedis(redis.url);
    try {
      const entries = await admin.xrange(`${prefix}te:stream`, "-", "+");
      const rules = entries.map(([, fields]) => (JSON.parse(fields[1]!) as { rule: string }).rule);
      expect(rules.filter((rule) => rule === "captcha.honeypot")).toHaveLength(120);
    } finally {
      admin.disconnect();
    }
  });

  test("exits non-zero with a clear message when its port is taken", async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(ports.busy, resolve));
    try {
      const server = await startBuiltServer(ports.busy, serverEnv(`e2e-busy:${Date.now()}:`), {
        waitUntilAnswering: false,
      });
      const exit = await Promise.race([
        server.exited,
        new Promise((resolve) => setTimeout(resolve, 30_000, "still running")),
      ]);
      if (exit === "still running") server.signal("SIGKILL");
      expect(exit).toEqual({ code: 1, signal: null });
      expect(server.output()).toContain(`port ${ports.busy}: the port is already in use`);
    } finally {
      squatter.close();
    }
  });
});
