/**
 * `npm start`: serves the production build exactly like `next start`, and additionally stamps
 * every request with the TCP peer address, which Next.js route handlers cannot otherwise read.
 *
 * Why: `next start` only fills `X-Forwarded-For` when the client sent none, so when clients reach
 * Node directly any client can choose its own address. The stamp carries a random per-process
 * token, so a client cannot forge it, and it is ignored when the app runs without this server
 * (then the `direct` client-IP preset refuses every send instead of trusting a header).
 *
 * Usage: node lib/node-server.mjs [-p PORT] [-H HOSTNAME]   (PORT from the environment also works)
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

// A production build always runs under production rules, whatever the shell's NODE_ENV says.
process.env.NODE_ENV = "production";
const token = randomBytes(32).toString("base64url");
process.env.OTP_SHIELD_PEER_TOKEN = token;

const args = process.argv.slice(2);
const option = (short, long) => {
  const index = args.findIndex((arg) => arg === short || arg === long);
  return index === -1 ? undefined : args[index + 1];
};
const port = Number(option("-p", "--port") ?? process.env.PORT ?? 3000);
const hostname = option("-H", "--hostname");

const { default: next } = await import("next");
const app = next({
  dev: false,
  dir: path.resolve(path.dirname(fileURLToPath(import.meta.url)), ".."),
  port,
  hostname,
});
const handle = app.getRequestHandler();
await app.prepare();

/**
 * Graceful shutdown, for orchestrators that stop a server with SIGTERM (Docker, Kubernetes,
 * systemd) and for Ctrl-C: stop accepting connections, let the requests already accepted finish
 * (a send waiting on 8x8 has spent its limits already), write the batched throttle events while
 * the last alerts go out, close the store, exit 0 — all within `EXIT_WITHIN_MS`: the drain, then
 * at most one store deadline or the alerts' 1.5 s for the middle step and one store deadline for
 * the last, fit the 10 s Docker allows before SIGKILL (Kubernetes: 30 s).
 * A second signal exits at once.
 *
 * The app's side is reached through `Symbol.for` hooks that it registers on `globalThis` (this file
 * cannot import the TypeScript modules the build bundles): see lib/events/index.ts,
 * lib/alerts/index.ts and lib/store/index.ts.
 */
// `config.server.drainWithin` and `.exitWithin` of lib/config.ts, which plain Node cannot import;
// tests/unit/readme-limits.test.ts checks that the copies agree.
const DRAIN_WITHIN_MS = 7_000;
const EXIT_WITHIN_MS = 10_000;

let inFlight = 0;
let stopping = false;

const server = createServer((request, response) => {
  inFlight += 1;
  response.once("close", () => {
    inFlight -= 1;
  });
  // Keep-alive clients open a new connection (to another instance) for their next request.
  if (stopping) response.setHeader("Connection", "close");
  // Overwrites whatever a client sent under this name.
  request.headers["x-otp-shield-peer"] = `${token} ${request.socket.remoteAddress ?? ""}`;
  handle(request, response);
});

server.on("error", (error) => {
  const where = `${hostname ?? "all addresses"}, port ${port}`;
  const reason =
    error.code === "EADDRINUSE"
      ? "the port is already in use (another server is running?). Stop it, or choose another port with -p PORT or PORT="
      : error.message;
  console.error(`[otp-shield] cannot listen on ${where}: ${reason}`);
  process.exit(1);
});

server.listen(port, hostname, () => {
  console.log(
    `[otp-shield] listening on http://${hostname ?? "localhost"}:${port} (client addresses from the TCP peer)`,
  );
});

/** Runs the hook the app registered under `name`, if it did; a failing hook is logged, not fatal. */
async function runHook(name) {
  const hook = globalThis[Symbol.for(name)];
  if (typeof hook !== "function") return;
  try {
    await hook();
  } catch (error) {
    console.error(`[otp-shield] shutdown: ${name} failed: ${error instanceof Error ? error.message : error}`);
  }
}

async function shutDown(signal) {
  if (stopping) {
    console.error(`[otp-shield] ${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  const deadline = setTimeout(() => {
    console.error(`[otp-shield] shutdown took longer than ${EXIT_WITHIN_MS / 1000} s: exiting now`);
    process.exit(1);
  }, EXIT_WITHIN_MS);
  deadline.unref();
  console.log(`[otp-shield] ${signal}: no new connections; finishing ${inFlight} request(s) in flight`);

  // 1. Stop accepting, and wait (bounded) for every accepted request to be answered.
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  const drained = await Promise.race([
    closed.then(() => true),
    new Promise((resolve) => setTimeout(resolve, DRAIN_WITHIN_MS, false)),
  ]);
  clearInterval(idleSweep);
  if (!drained) {
    console.error(
      `[otp-shield] ${inFlight} request(s) still running after ${DRAIN_WITHIN_MS / 1000} s: cut off`,
    );
    server.closeAllConnections();
  }

  // 2. Write what answered requests left behind (throttle events, counts) while their alerts get
  //    a short time to go out (lib/alerts/index.ts: at most 1.5 s), then close the store.
  await Promise.all([runHook("otp-shield.flush-throttle-events"), runHook("otp-shield.flush-alerts")]);
  await runHook("otp-shield.close-store");
  console.log("[otp-shield] stopped");
  process.exit(0);
}

process.on("SIGTERM", () => void shutDown("SIGTERM"));
process.on("SIGINT", () => void shutDown("SIGINT"));
