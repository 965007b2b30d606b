import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

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
process.env.E2E_SECOND_URL ??= process.env.E2E_STORE === "redis" ? `http://localhost:${secondPort}` : "";

const serverEnv = {
  OTP_PROVIDER: "sandbox",
  SANDBOX_INBOX: "all",
  AUTH_SECRET: "e2e-only-secret-0123456789abcdefghijklmnopqrstuvwxyz",
  AUTH_TRUST_HOST: "true",
  // The test runner on loopback plays the trusted proxy: each test sends its own client address
  // in X-Forwarded-For (see tests/e2e/support.ts).
  CLIENT_IP_STRATEGY: "rightmost-trusted-range",
  CLIENT_IP_TRUSTED_RANGES: "127.0.0.0/8,::1",
  // Cheap proof of work, so the real widget solves in a moment; production defaults are far higher.
  ALTCHA_COST: "50",
  ALTCHA_MAX_COUNTER: "50",
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
  ADMIN_PHONE_NUMBERS: "+6589990001,+6589990002,+6589990003,+6589990004,+6589990005,+6589990006",
  // Low enough for tests/e2e/fraud-admin.spec.ts to block a range with a ring of its own; the other
  // admin specs spread their sends over 80 random ranges.
  FRAUD_RANGE_FLOOR: "20",
};
const adminSpecs = /(admin|client-ip)\.spec\.ts$/;

export default defineConfig({
  testDir: "tests/e2e",
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
      timeout: 240_000,
      stdout: "pipe",
      env: serverEnv,
    },
    ...(process.env.E2E_SECOND_URL
      ? [
          {
            command: `node lib/node-server.mjs -p ${secondPort}`,
            url: `http://localhost:${secondPort}/api/health`,
            reuseExistingServer: !process.env.CI,
            timeout: 60_000,
            env: serverEnv,
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
      env: adminServerEnv,
    },
  ],
});
