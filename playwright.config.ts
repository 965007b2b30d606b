import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { createRunDatabase, freshDataDir } from "./tests/support/database-env";
import { sandboxServerEnv } from "./tests/support/server-env";

const port = Number(process.env.E2E_PORT ?? 3100);
const secondPort = port + 1;
const adminPort = port + 2;
const sandboxPort = port + 3;

/**
 * Debian's Chromium where it exists (this project's machines cannot download Playwright's own);
 * set CHROMIUM_PATH to use another, or to "" to fall back to Playwright's browser.
 */
const chromiumPath =
  process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : "");

/**
 * With a reachable Redis (always in CI), two app instances share it, as in production, under a
 * key prefix of this run's own. Without one, a single instance uses the in-process store and the
 * two-instance test says that it did not run. Set in the runner's environment, so workers see it.
 */
const redisUrl = process.env.E2E_REDIS_URL ?? "redis://127.0.0.1:6379";
process.env.E2E_STORE ??=
  spawnSync("redis-cli", ["-u", redisUrl, "ping"], { encoding: "utf8" }).stdout?.trim() === "PONG"
    ? "redis"
    : "memory";
process.env.E2E_STORE_PREFIX ??= `e2e:${Date.now().toString(36)}:`;

/**
 * Accounts: with a PostgreSQL server (always in CI), every instance shares a database of this
 * run's own, dropped afterwards (tests/support/e2e-teardown.ts). Without one, each instance has an
 * embedded PGlite in a directory of its own, and the two-instance test does not run.
 */
process.env.E2E_DATABASE_URL ??= createRunDatabase(
  process.env.E2E_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  `otp_shield_e2e_${Date.now().toString(36)}`,
);
process.env.E2E_DATA_DIR ??= process.env.E2E_DATABASE_URL ? "" : freshDataDir();
const databaseEnv = (instance: string): Record<string, string> =>
  process.env.E2E_DATABASE_URL
    ? { DATABASE_URL: process.env.E2E_DATABASE_URL }
    : { DATA_DIR: path.join(process.env.E2E_DATA_DIR!, instance) };
process.env.E2E_SECOND_URL ??=
  process.env.E2E_STORE === "redis" && process.env.E2E_DATABASE_URL ? `http://localhost:${secondPort}` : "";

const serverEnv = {
  ...sandboxServerEnv,
  // The specs send many codes nobody enters to a few number ranges: the fraud budgets (tested at
  // their defaults in tests/integration/fraud-budgets.test.ts and by `npm run attack`) stay out of the way.
  FRAUD_RANGE_FLOOR: "100000",
  FRAUD_COUNTRY_FLOOR: "1000000",
  FRAUD_RANGE_DAY_FLOOR: "1000000",
  FRAUD_COUNTRY_DAY_FLOOR: "10000000",
  ...(process.env.E2E_STORE === "redis"
    ? { REDIS_URL: redisUrl, STORE_KEY_PREFIX: process.env.E2E_STORE_PREFIX }
    : {}),
};

/**
 * The admin console runs on an instance of its own: in production the in-app sandbox and admins
 * exclude each other (anyone could read an admin's code), so this one sends "real" 8x8 calls to
 * the emulator running as a separate process (tests/support/sandbox-server.ts), whose inbox only
 * the tests read.
 */
const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
const sandboxApiKey = "e2e-standalone-sandbox-key";
const adminServerEnv = {
  ...Object.fromEntries(Object.entries(serverEnv).filter(([name]) => !name.startsWith("SANDBOX_"))),
  OTP_PROVIDER: "8x8",
  EIGHT_BY_EIGHT_API_KEY: sandboxApiKey,
  EIGHT_BY_EIGHT_SUBACCOUNT_ID: "sandbox_hq",
  EIGHT_BY_EIGHT_BASE_URL: sandboxUrl,
  ADMIN_PHONE_NUMBERS: "+6589990001,+6589990002,+6589990003,+6589990004,+6589990005,+6589990006,+6589990008",
  // The admin specs sign in with codes; the passkey second factor (on by default in production) is
  // tested on an instance of its own in tests/e2e/passkeys.spec.ts and in Vitest.
  ADMIN_REQUIRE_PASSKEY: "false",
  // Low enough for tests/e2e/fraud-admin.spec.ts to block a range with a ring of its own; the other
  // admin specs spread their sends over 80 random ranges.
  FRAUD_RANGE_FLOOR: "20",
};
const adminSpecs = /(admin|client-ip)\.spec\.ts$/;

export default defineConfig({
  testDir: "tests/e2e",
  globalTeardown: "./tests/support/e2e-teardown.ts",
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  workers: 2,
  reporter: process.env.CI ? "list" : [["list"], ["html", { open: "never" }]],
  use: {
    // Auth.js writes absolute URLs with "localhost"; 127.0.0.1 would fail sign-in with MissingCSRF.
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      testIgnore: adminSpecs,
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: chromiumPath ? { executablePath: chromiumPath } : {},
      },
    },
    {
      name: "admin",
      testMatch: adminSpecs,
      // Read by tests/e2e/support.ts: where this project's codes arrive.
      metadata: { sandboxUrl },
      use: {
        ...devices["Desktop Chrome"],
        baseURL: `http://localhost:${adminPort}`,
        launchOptions: chromiumPath ? { executablePath: chromiumPath } : {},
      },
    },
  ],
  // A production build served by `npm start` (which stamps the TCP peer), the sandbox switched on
  // explicitly as in the hosted demo. Servers start in order: the second reuses the first's build.
  webServer: [
    {
      command: `npm run build && node lib/node-server.mjs -p ${port}`,
      url: `http://localhost:${port}/api/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 480_000,
      stdout: "pipe",
      env: { ...serverEnv, ...databaseEnv("main") },
    },
    ...(process.env.E2E_SECOND_URL
      ? [
          {
            command: `node lib/node-server.mjs -p ${secondPort}`,
            url: `http://localhost:${secondPort}/api/health`,
            reuseExistingServer: !process.env.CI,
            timeout: 60_000,
            env: { ...serverEnv, ...databaseEnv("second") },
          },
        ]
      : []),
    {
      command: `node node_modules/tsx/dist/cli.mjs tests/support/sandbox-server.ts ${sandboxPort}`,
      url: `${sandboxUrl}/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
      env: { SANDBOX_API_KEY: sandboxApiKey },
    },
    {
      command: `node lib/node-server.mjs -p ${adminPort}`,
      url: `http://localhost:${adminPort}/api/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
      env: { ...adminServerEnv, ...databaseEnv("admin") },
    },
  ],
});
