/**
 * The 8x8 emulator as a process of its own, for tests of a production build that has admins.
 *
 * Why: in production the in-app sandbox and admins exclude each other (lib/env.ts), because the
 * sandbox shows codes to visitors. A test of the admin console therefore runs the app with
 * `OTP_PROVIDER=8x8` and `EIGHT_BY_EIGHT_BASE_URL` pointing here, and reads the codes from this
 * process, which the app's visitors cannot reach.
 *
 *   tsx tests/support/sandbox-server.ts PORT      (key: SANDBOX_API_KEY, subaccount: sandbox_hq)
 *
 * Besides the 8x8 routes it answers the same test controls as the in-app sandbox:
 * `GET /api/sandbox/messages?to=`, `POST /api/sandbox/sessions/advance` and `GET /health`.
 */
import { createServer } from "node:http";
import { EightByEightEmulator } from "../../lib/eight-by-eight/sandbox/emulator";
import { serveEmulator } from "../../lib/eight-by-eight/sandbox/server";

export const STANDALONE_SANDBOX_SUBACCOUNT = "sandbox_hq";

/** Starts the emulator on `port` + 1 and the controls (and a proxy to the emulator) on `port`. */
export async function startStandaloneSandbox(port: number, apiKey: string): Promise<{ close(): void }> {
  const emulator = new EightByEightEmulator(apiKey, STANDALONE_SANDBOX_SUBACCOUNT);
  const api = await serveEmulator(emulator);
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://sandbox.local");
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.method === "GET" && url.pathname === "/health") return reply(200, { status: "ok" });
    if (request.method === "GET" && url.pathname === "/api/sandbox/messages") {
      const messages = emulator
        .listMessages(url.searchParams.get("to") ?? undefined)
        .map(({ to, text, code, channel, sentAt }) => ({ to, text, code, channel, sentAt }));
      return reply(200, { messages });
    }
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      if (request.method === "POST" && url.pathname === "/api/sandbox/sessions/advance") {
        const { to, seconds } = JSON.parse(body) as { to: string; seconds: number };
        return reply(200, {
          status: "advanced",
          pendingSession: emulator.advancePendingSession(to, seconds),
        });
      }
      // Everything else is an 8x8 call: hand it to the emulator's own HTTP server.
      void fetch(`${api.url}${request.url}`, {
        method: request.method,
        headers: { authorization: request.headers.authorization ?? "", "content-type": "application/json" },
        body: request.method === "GET" || request.method === "HEAD" ? undefined : body,
      }).then(
        async (answer) => {
          response.writeHead(answer.status, { "content-type": "application/json" });
          response.end(await answer.text());
        },
        () => reply(502, { error: "emulator unreachable" }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    close() {
      server.close();
      void api.close();
    },
  };
}

if (process.argv[1]?.endsWith("sandbox-server.ts")) {
  const port = Number(process.argv[2]);
  const apiKey = process.env.SANDBOX_API_KEY;
  if (!Number.isInteger(port) || !apiKey) {
    console.error("Usage: SANDBOX_API_KEY=… tsx tests/support/sandbox-server.ts PORT");
    process.exit(2);
  }
  void startStandaloneSandbox(port, apiKey).then(() =>
    console.log(`[sandbox] 8x8 emulator on http://127.0.0.1:${port}`),
  );
}
