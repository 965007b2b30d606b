import { connect, createServer, type Server, type Socket } from "node:net";
import { solveChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import { freshDataDir } from "../support/database-env";
import { startBuiltServer, type BuiltServer } from "../support/instance";
import { freePort, sandboxServerEnv } from "../support/server-env";
import { advanceSandboxSession, expect, randomClientIp, randomPhone, SignInPage, test } from "./support";

/**
 * Accounts live in the database, and sessions end on the server: against the production build,
 * with servers of this spec's own on free ports (cookies are per host, not per port, so a session
 * carries over to a restarted server on another port).
 */

const serverEnv = (extra: Record<string, string>): Record<string, string> => ({
  ...sandboxServerEnv,
  ...extra,
});

let clientCount = 0;
const nextClientIp = () => `2001:db8:ac:${(clientCount += 1).toString(16)}::1`;

async function call(
  server: BuiltServer,
  path: string,
  init: { json?: unknown; cookie?: string; ip?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; cookie: string; location: string | null }> {
  const response = await fetch(`${server.url}${path}`, {
    method: init.json === undefined ? "GET" : "POST",
    redirect: "manual",
    headers: {
      "X-Forwarded-For": init.ip ?? nextClientIp(),
      ...(init.json === undefined ? {} : { "Content-Type": "application/json" }),
      ...(init.cookie ? { Cookie: init.cookie } : {}),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : {},
    cookie: response.headers
      .getSetCookie()
      .map((line) => line.split(";")[0])
      .join("; "),
    location: response.headers.get("location"),
  };
}

/** Sends a code to `phone` and returns the pending cookie and the code the sandbox received. */
async function requestCode(server: BuiltServer, phone: string, ip: string) {
  const { body: challenge } = await call(server, "/api/captcha/challenge", { ip });
  const solution = await solveChallenge({ challenge: challenge as never, deriveKey });
  const captcha = Buffer.from(JSON.stringify({ challenge, solution })).toString("base64");
  const sent = await call(server, "/api/otp/send", { json: { phone, captcha }, ip });
  expect(sent.status).toBe(202);
  const inbox = await call(server, `/api/sandbox/messages?to=${encodeURIComponent(phone)}`);
  const code = (inbox.body.messages as { code: string }[])[0]!.code;
  return { pending: sent.cookie, code };
}

/** Signs `phone` in through the API: whether the account is new, and the session cookie. */
async function signIn(server: BuiltServer, phone: string) {
  const ip = nextClientIp();
  const { pending, code } = await requestCode(server, phone, ip);
  const verified = await call(server, "/api/otp/verify", { json: { code }, cookie: pending, ip });
  expect(verified.status).toBe(200);
  return { isNewUser: verified.body.isNewUser as boolean, session: verified.cookie };
}

async function stop(server: BuiltServer) {
  server.signal("SIGTERM");
  await server.exited;
}

test.describe.configure({ mode: "default", timeout: 120_000 });

test.describe("accounts across restarts", () => {
  test("keeps the account on the embedded default: sign up, restart, sign in is the same account", async () => {
    const env = serverEnv({ DATA_DIR: freshDataDir() });
    const phone = randomPhone().e164;
    let server = await startBuiltServer(await freePort(), env);
    const first = await signIn(server, phone);
    expect(first.isNewUser).toBe(true);
    expect(server.output()).toContain("embedded Postgres (PGlite)");
    await stop(server);

    server = await startBuiltServer(await freePort(), env);
    try {
      // The session from before the restart still holds, and the number is a known account.
      expect((await call(server, "/account", { cookie: first.session })).status).toBe(200);
      expect((await signIn(server, phone)).isNewUser).toBe(false);
    } finally {
      await stop(server);
    }
  });

  test("keeps the account on a Postgres server (DATABASE_URL)", async () => {
    const url = process.env.E2E_DATABASE_URL;
    // A PostgreSQL server is part of this test (.ci/run starts one), not an option.
    expect(url, "no PostgreSQL server answered on 127.0.0.1:5432").toBeTruthy();
    const env = serverEnv({ DATABASE_URL: url! });
    const phone = randomPhone().e164;
    let server = await startBuiltServer(await freePort(), env);
    expect((await signIn(server, phone)).isNewUser).toBe(true);
    expect(server.output()).toContain("database: Postgres at 127.0.0.1");
    await stop(server);
    server = await startBuiltServer(await freePort(), env);
    try {
      expect((await signIn(server, phone)).isNewUser).toBe(false);
    } finally {
      await stop(server);
    }
  });
});

test.describe("a database that goes away", () => {
  /** A TCP relay to the local Postgres that the test can cut and restore. */
  let relay: Server;
  const sockets = new Set<Socket>();
  let relayPort = 0;
  const openRelay = () =>
    new Promise<void>((resolve) => {
      relay = createServer((client) => {
        const upstream = connect(5432, "127.0.0.1");
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket));
          socket.on("error", () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
      }).listen(relayPort, "127.0.0.1", resolve);
    });
  const cutRelay = () =>
    new Promise<void>((resolve) => {
      relay.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  test("answers 503 to a right code while the database is down, and takes the same code once it is back", async () => {
    const url = process.env.E2E_DATABASE_URL;
    // A PostgreSQL server is part of this test (.ci/run starts one), not an option.
    expect(url, "no PostgreSQL server answered on 127.0.0.1:5432").toBeTruthy();
    relayPort = await freePort();
    await openRelay();
    const relayed = new URL(url!);
    relayed.port = String(relayPort);
    const server = await startBuiltServer(
      await freePort(),
      serverEnv({ DATABASE_URL: relayed.toString(), DATABASE_TIMEOUT_MS: "1000" }),
    );
    try {
      const phone = randomPhone().e164;
      const ip = nextClientIp();
      const { pending, code } = await requestCode(server, phone, ip);

      await cutRelay();
      const logFrom = server.output().length;
      const [health, refused] = await Promise.all([
        call(server, "/api/health"),
        call(server, "/api/otp/verify", { json: { code }, cookie: pending, ip }),
      ]);
      expect(health).toMatchObject({ status: 503, body: { databaseReachable: false } });
      expect(refused).toMatchObject({ status: 503, body: { error: { code: "unavailable" } } });
      expect(refused.cookie).not.toContain("authjs.session-token");
      expect(server.output().slice(logFrom)).toContain("database unavailable: refusing");
      expect(server.output().slice(logFrom)).not.toContain("Unhandled error");

      await openRelay();
      await expect
        .poll(async () => (await call(server, "/api/health")).status, { timeout: 15_000 })
        .toBe(200);
      const verified = await call(server, "/api/otp/verify", { json: { code }, cookie: pending, ip });
      expect(verified.status).toBe(200);
      expect(verified.cookie).toContain("authjs.session-token");
    } finally {
      await stop(server);
      await cutRelay().catch(() => {});
    }
  });
});

test.describe("sessions that end on the server", () => {
  test("a copied session cookie stops working after sign-out", async ({ browser, signInPage, page }) => {
    const phone = randomPhone();
    await signInPage.signIn(phone);
    // Someone copies the cookies (a stolen laptop, malware, a shared computer).
    const copy = await browser.newContext({ storageState: await page.context().storageState() });
    const thief = await copy.newPage();
    await thief.goto("/account");
    await expect(thief.getByTestId("account-phone")).toBeVisible();

    await signInPage.signOut();
    await thief.goto("/account");
    await expect(thief).toHaveURL(/\/sign-in/);
    await copy.close();
  });

  test("lists both browsers' sessions, ends the other one, and signs out everywhere", async ({
    browser,
    signInPage,
    page,
  }) => {
    const phone = randomPhone();
    await signInPage.signIn(phone);
    const otherContext = await browser.newContext({
      extraHTTPHeaders: { "X-Forwarded-For": randomClientIp() },
    });
    const other = await otherContext.newPage();
    await advanceSandboxSession(page.request, phone.e164, 3600);
    await new SignInPage(other).signIn(phone);

    await page.goto("/account");
    const sessions = page.getByTestId("session-list").getByRole("listitem");
    await expect(sessions).toHaveCount(2);
    await expect(sessions.filter({ hasText: "(this browser)" })).toHaveCount(1);
    await page.getByRole("button", { name: /^End session/ }).click();
    await expect(sessions).toHaveCount(1);
    await other.goto("/account");
    await expect(other).toHaveURL(/\/sign-in/);

    // Back in on the other browser; then "Sign out everywhere" from the first ends both.
    await advanceSandboxSession(page.request, phone.e164, 3600);
    await new SignInPage(other).signIn(phone);
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page).toHaveURL(/\/$/);
    await other.goto("/account");
    await expect(other).toHaveURL(/\/sign-in/);
    await otherContext.close();
  });
});
