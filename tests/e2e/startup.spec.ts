import { spawn } from "node:child_process";
import { instanceDatabaseEnv } from "../support/database-env";
import { freePort } from "../support/server-env";
import { expect, test } from "./support";

/**
 * What users run: the production build (made by the e2e web server, reused here) started with
 * `npm start` (lib/node-server.mjs) under various environments, each on its own port. The shell's
 * NODE_ENV is "test" throughout: a production build must apply production rules whatever it says.
 */
// Each test starts its own server (Next.js prepares the whole build first: seconds on a busy machine).
test.describe.configure({ mode: "parallel", timeout: 120_000 });

/** Settings a production start needs, besides the OTP provider. */
const valid = {
  AUTH_SECRET: "startup-test-secret-0123456789abcdefghijklmnop",
  AUTH_TRUST_HOST: "true",
  CLIENT_IP_PRESET: "one-proxy",
  ALTCHA_COST: "50",
  ALTCHA_MAX_COUNTER: "50",
};

type Started =
  | { kind: "exited"; code: number | null; output: string }
  | { kind: "listening"; url: string; port: number; stop(): Promise<void> };

// Servers still running when a worker ends (a timed-out test) must not outlive it.
const running = new Set<ReturnType<typeof spawn>>();
process.once("exit", () => running.forEach((child) => child.kill("SIGKILL")));

/** Starts `npm start` with exactly `env` (plus PATH/HOME) and waits until it answers or exits. */
async function start(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, ["lib/node-server.mjs", "-p", String(port)], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "test",
      ...instanceDatabaseEnv(env),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  };
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 250, "running"))]);
    if (code !== "running") return { kind: "exited", code: code as number | null, output };
    const healthy = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { kind: "listening", url, port, stop };
  }
  await stop();
  throw new Error(`npm start neither listened nor exited within 60 s:\n${output}`);
}

async function expectRefusal(env: Record<string, string>): Promise<string> {
  const result = await start(env);
  if (result.kind === "listening") await result.stop();
  expect(result.kind, "the server must refuse to start").toBe("exited");
  if (result.kind !== "exited") throw new Error("unreachable");
  expect(result.code).toBe(1);
  return result.output;
}

test.describe("npm start on the production build", () => {
  test("refuses to start the sandbox with admins but without the passkey second factor, naming the settings", async () => {
    const output = await expectRefusal({
      ...valid,
      OTP_PROVIDER: "sandbox",
      ADMIN_PHONE_NUMBERS: "+6589990001",
      ADMIN_REQUIRE_PASSKEY: "false",
    });
    expect(output).toContain(
      "ADMIN_PHONE_NUMBERS needs ADMIN_REQUIRE_PASSKEY=true when OTP_PROVIDER=sandbox",
    );
  });

  test("starts the sandbox demo without admins, under production rules although NODE_ENV=test", async () => {
    const server = await start({ ...valid, OTP_PROVIDER: "sandbox" });
    expect(server.kind).toBe("listening");
    if (server.kind !== "listening") return;
    try {
      // Production rules: the inbox shows a visitor only their own code, and fault controls are off.
      const faults = await fetch(`${server.url}/api/sandbox/faults`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.9" },
        body: JSON.stringify({ kind: "server_error" }),
      });
      expect(faults.status).toBe(404);
      const inbox = await fetch(`${server.url}/api/sandbox/messages?to=%2B6589990001`);
      expect(await inbox.json()).toEqual({ messages: [] });
      // Nobody is an admin: the console is a plain 401 for a visitor.
      expect((await fetch(`${server.url}/api/admin/overview`)).status).toBe(401);
    } finally {
      await server.stop();
    }
  });

  test("never turns the sandbox on by default and never accepts the public development secret", async () => {
    const noProvider = await expectRefusal({ ...valid });
    expect(noProvider).toContain("OTP_PROVIDER is not set");

    const developmentSecret = await expectRefusal({
      ...valid,
      OTP_PROVIDER: "sandbox",
      AUTH_SECRET: "development-only-secret-do-not-deploy-0123456789abcdef",
    });
    expect(developmentSecret).toContain("AUTH_SECRET must be a secret of your own");
  });

  test("refuses to start without AUTH_URL or AUTH_TRUST_HOST, naming both", async () => {
    const output = await expectRefusal({
      ...valid,
      OTP_PROVIDER: "sandbox",
      AUTH_TRUST_HOST: "",
    });
    expect(output).toMatch(/Set AUTH_URL .* or AUTH_TRUST_HOST=true/);
  });

  test("reports every startup problem in one message", async () => {
    const output = await expectRefusal({
      OTP_PROVIDER: "sandbox",
      ADMIN_PHONE_NUMBERS: "+6589990001",
      ADMIN_REQUIRE_PASSKEY: "false",
      OTP_CODE_LENGTH: "99",
    });
    expect(output).toContain("5 settings need fixing");
    for (const name of [
      "OTP_CODE_LENGTH",
      "AUTH_SECRET",
      "AUTH_URL",
      "ADMIN_PHONE_NUMBERS",
      "CLIENT_IP_PRESET",
    ]) {
      expect(output).toContain(name);
    }
  });
});
