import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * A production instance of the app on a loopback port, for the attack simulator and the HTTP
 * benchmark: the 8x8 sandbox, loopback trusted as the proxy (the caller plays it and appends each
 * client's address to X-Forwarded-For), plus `env`. Needs `npm run build` first.
 */
export async function startInstance(env: Record<string, string>): Promise<{ url: string; stop(): void }> {
  if (!existsSync(".next/BUILD_ID")) throw new Error("No production build: run `npm run build` first.");
  const port = 3200 + Math.floor(Math.random() * 600);
  const child = spawn(process.execPath, ["lib/node-server.mjs", "-p", String(port)], {
    stdio: "ignore",
    env: {
      ...process.env,
      OTP_PROVIDER: "sandbox",
      AUTH_SECRET: "local-instance-only-secret-0123456789abcdef",
      AUTH_TRUST_HOST: "true",
      CLIENT_IP_STRATEGY: "rightmost-trusted-range",
      CLIENT_IP_TRUSTED_RANGES: "127.0.0.0/8,::1",
      ...env,
    },
  });
  const url = `http://localhost:${port}`;
  const stop = () => void child.kill();
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const healthy = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  stop();
  throw new Error("The instance did not start.");
}
