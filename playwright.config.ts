import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);

/**
 * Debian's Chromium where it exists (this project's machines cannot download Playwright's own);
 * set CHROMIUM_PATH to use another, or to "" to fall back to Playwright's browser.
 */
const chromiumPath =
  process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : "");

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
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: chromiumPath ? { executablePath: chromiumPath } : {},
      },
    },
  ],
  webServer: {
    // A production build served by `npm start` (which stamps the TCP peer); the sandbox is switched
    // on explicitly, as in the hosted demo. The test runner on loopback plays the trusted proxy:
    // each test sends its own client address in X-Forwarded-For (see tests/e2e/support.ts).
    command: `npm run build && node lib/node-server.mjs -p ${port}`,
    url: `http://localhost:${port}/api/health`,
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
    stdout: "pipe",
    env: {
      OTP_PROVIDER: "sandbox",
      SANDBOX_INBOX: "all",
      AUTH_SECRET: "e2e-only-secret-0123456789abcdefghijklmnopqrstuvwxyz",
      AUTH_TRUST_HOST: "true",
      CLIENT_IP_STRATEGY: "rightmost-trusted-range",
      CLIENT_IP_TRUSTED_RANGES: "127.0.0.0/8,::1",
      ADMIN_PHONE_NUMBERS: "+6589990001,+6589990002,+6589990003",
    },
  },
});
