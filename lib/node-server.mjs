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

createServer((request, response) => {
  // Overwrites whatever a client sent under this name.
  request.headers["x-otp-shield-peer"] = `${token} ${request.socket.remoteAddress ?? ""}`;
  handle(request, response);
}).listen(port, hostname, () => {
  console.log(
    `[otp-shield] listening on http://${hostname ?? "localhost"}:${port} (client addresses from the TCP peer)`,
  );
});
