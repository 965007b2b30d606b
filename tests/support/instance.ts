import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { instanceDatabaseEnv } from "./database-env";
import { freePort } from "./server-env";
import { startStandaloneSandbox, STANDALONE_SANDBOX_SUBACCOUNT } from "./sandbox-server";

/**
 * A production instance of the app on a loopback port, for the attack simulator and the HTTP
 * benchmark: the 8x8 sandbox, loopback trusted as the proxy (the caller plays it and appends each
 * client's address to X-Forwarded-For), plus `env`. Needs `npm run build` first.
 *
 * `port`: where it listens (a free one by default; a standalone sandbox then takes another free one,
 * else the next).
 * `standaloneSandbox`: the emulator runs in this process instead, and the app calls it as 8x8 —
 * needed for admins, which a production build refuses next to its own sandbox. Its inbox and
 * controls are then at `sandboxUrl`, not on the app.
 */
export async function startInstance(
  env: Record<string, string>,
  { standaloneSandbox = false, port: wanted }: { standaloneSandbox?: boolean; port?: number } = {},
): Promise<{ url: string; sandboxUrl: string; pid: number; stop(): void }> {
  if (!existsSync(".next/BUILD_ID")) throw new Error("No production build: run `npm run build` first.");
  const port = wanted ?? (await freePort());
  const apiKey = randomBytes(18).toString("base64url");
  const sandboxPort = standaloneSandbox ? (wanted ? wanted + 1 : await freePort()) : port;
  const sandbox = standaloneSandbox ? await startStandaloneSandbox(sandboxPort, apiKey) : null;
  const sandboxUrl = sandbox ? `http://127.0.0.1:${sandboxPort}` : `http://localhost:${port}`;
  const child = spawn(process.execPath, ["lib/node-server.mjs", "-p", String(port)], {
    stdio: "ignore",
    env: {
      ...process.env,
      OTP_PROVIDER: "sandbox",
      AUTH_SECRET: "local-instance-only-secret-0123456789abcdef",
      AUTH_TRUST_HOST: "true",
      CLIENT_IP_STRATEGY: "rightmost-trusted-range",
      CLIENT_IP_TRUSTED_RANGES: "127.0.0.0/8,::1",
      ...instanceDatabaseEnv(env),
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
    if (healthy) return { url, sandboxUrl, pid: child.pid!, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  stop();
  throw new Error("The instance did not start.");
}

export type BuiltServer = {
  url: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  signal(signal: NodeJS.Signals): void;
};

/**
 * `node lib/node-server.mjs` on `port` with `env` (nothing inherited but PATH, HOME and the run's
 * database, see database-env.ts), as
 * `npm start` runs it, for tests of the production build's fault, startup and shutdown paths.
 * Resolves once the server answers any HTTP request, or once it exits (say, refusing to start);
 * at once with `waitUntilAnswering: false`.
 */
export async function startBuiltServer(
  port: number,
  env: Record<string, string>,
  { waitUntilAnswering = true } = {},
): Promise<BuiltServer> {
  if (!existsSync(".next/BUILD_ID")) throw new Error("No production build: run `npm run build` first.");
  const child = spawn(process.execPath, ["lib/node-server.mjs", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      ...instanceDatabaseEnv(env),
      ...env,
    },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  const server: BuiltServer = {
    url: `http://localhost:${port}`,
    output: () => output,
    exited,
    signal: (name) => void child.kill(name),
  };
  if (!waitUntilAnswering) return server;
  for (let attempt = 0; attempt < 300 && running; attempt += 1) {
    const answered = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5000) }).then(
      () => true,
      () => false,
    );
    if (answered) return server;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (running) {
    child.kill("SIGKILL");
    throw new Error(`The server on port ${port} did not start:\n${output}`);
  }
  return server;
}
