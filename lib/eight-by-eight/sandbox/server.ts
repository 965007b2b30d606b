import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EightByEightEmulator } from "./emulator";

/** A hung request is dropped after this long, so a forgotten "hang" fault cannot leak sockets. */
const HANG_LIMIT_MS = 120_000;
const MAX_REQUEST_BYTES = 64 * 1024;

export type RunningSandbox = { url: string; close(): Promise<void> };

/** Serves the emulator over HTTP on a loopback port (0: any free port). */
export async function serveEmulator(emulator: EightByEightEmulator, port = 0): Promise<RunningSandbox> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) request.destroy();
      else chunks.push(chunk);
    });
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://sandbox.local");
      const reply = emulator.handle(
        request.method ?? "GET",
        url.pathname,
        url.searchParams,
        request.headers.authorization ?? null,
        Buffer.concat(chunks).toString("utf8"),
      );
      if (reply.hang) {
        setTimeout(() => response.destroy(), HANG_LIMIT_MS).unref();
        return;
      }
      const send = () => {
        if (response.destroyed) return;
        const payload = reply.raw ? String(reply.body) : JSON.stringify(reply.body);
        response.writeHead(reply.status, {
          "Content-Type": "application/json; charset=utf-8",
          ...reply.headers,
        });
        response.end(payload);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  server.unref();
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${boundPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
