import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { startStandaloneSandbox, STANDALONE_SANDBOX_SUBACCOUNT } from "./sandbox-server";

/**
 * A production instance of the app on a loopback port, for the attack simulator and the HTTP
 * benchmark: the 8x8 sandbox, loopback trusted as the proxy (the caller plays it and appends each
 * client's address to X-Forwarded-For), plus `env`. Needs `npm run build` first.
 *
 * `standaloneSandbox`: the emulator runs in this process instead, and the app calls it as 8x8 —
 * needed for admins, which a production build refuses next to its own sandbox. Its inbox and
 * controls are then at `sandboxUrl`, not on the app.
 */
export async function startInstance(
  env: Record<string, string>,
  { standaloneSandbox = false } = {},
): Promise<{ url: string; sandboxUrl: string; stop(): void }> {
  if (!existsSync(".next/BUILD_ID")) throw new Error("No production build: run `npm run build` first.");
  const port = 3200 + Math.floor(Math.random() * 600);
  const apiKey = randomBytes(18).toString("base64url");
  const sandbox = standaloneSandbox ? await startStandaloneSandbox(port + 1, apiKey) : null;
  const sandboxUrl = sandbox ? `http://127.0.0.1:${port + 1}` : `http://localhost:${port}`;
  const child = spawn(process.execPath, ["lib/node-server.mjs", "-p", String(port)], {
    stdio: "ignore",
    env: {
      ...process.env,
      OTP_PROVIDER: "sandbox",
      AUTH_SECRET: "local-instance-only-secret-0123456789abcdef",
      AUTH_TRUST_HOST: "true",
      CLIENT_IP_STRATEGY: "rightmost-trusted-range",
      CLIENT_IP_TRUSTED_RANGES: "127.0.0.0/8,::1",
      ...(sandbox
        ? {
            OTP_PROVIDER: "8x8",
            EIGHT_BY_EIGHT_API_KEY: apiKey,
            EIGHT_BY_EIGHT_SUBACCOUNT_ID: STANDALONE_SANDBOX_SUBACCOUNT,
            EIGHT_BY_EIGHT_BASE_URL: sandboxUrl,
          }
        : {}),
      ...env,
    },
  });
  const url = `http://localhost:${port}`;
  const stop = () => {
    child.kill();
    sandbox?.close();
  };
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const healthy = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { url, sandboxUrl, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  stop();
  throw new Error("The instance did not start.");
}
