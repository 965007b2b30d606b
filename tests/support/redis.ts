import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { UpstashRequest } from "@upstash/redis";
import IORedis from "ioredis";
import { createTcpRequester } from "@/lib/store/redis-tcp-requester";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Whether the machine's Redis answers; suites that need it say plainly when it does not. */
export async function isRedisReachable(url = REDIS_URL): Promise<boolean> {
  const client = new IORedis(url, {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A key prefix no other test run uses: isolation without flushing shared state. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomBytes(6).toString("hex")}:`;
}

/**
 * An Upstash-compatible REST server in front of a real Redis, so the Upstash backend is tested
 * against the same server the TCP backend uses: `POST /` runs one command, `/pipeline` and
 * `/multi-exec` run several; strings come back base64-encoded when asked (`Upstash-Encoding`).
 */
export async function startUpstashBridge(redisUrl = REDIS_URL): Promise<{
  url: string;
  token: string;
  /** HTTP requests answered (round trips), and the Redis commands they carried (what Upstash bills). */
  requests: { read(): number };
  commands: { read(): number };
  close(): Promise<void>;
}> {
  const token = randomBytes(16).toString("hex");
  let requests = 0;
  let commands = 0;
  const client = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  client.on("error", () => undefined);

  // Upstash accepts its own Lua flags; the TCP requester makes plain Redis do the same.
  const requester = createTcpRequester(client);

  const encode = (value: unknown, base64: boolean): unknown =>
    typeof value === "string" && base64
      ? Buffer.from(value).toString("base64")
      : Array.isArray(value)
        ? value.map((item) => encode(item, base64))
        : value;
  const encodeResponse = (response: { result?: unknown; error?: string }, base64: boolean) =>
    response.error !== undefined ? { error: response.error } : { result: encode(response.result, base64) };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      if (request.headers.authorization !== `Bearer ${token}`) {
        response
          .writeHead(401, { "Content-Type": "application/json" })
          .end(JSON.stringify({ error: "Unauthorized" }));
        return;
      }
      const base64 = request.headers["upstash-encoding"] === "base64";
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as UpstashRequest["body"];
      const path = (request.url ?? "/").replace(/^\/+|\/+$/g, "");
      requests += 1;
      // A pipeline's body is an array of commands; a single command's is the command itself.
      commands += path === "pipeline" || path === "multi-exec" ? (body as unknown[]).length : 1;
      try {
        if (path === "pipeline" || path === "multi-exec") {
          const replies = (await requester.request({ body, path: [path] })) as unknown as {
            result?: unknown;
            error?: string;
          }[];
          response.writeHead(200, { "Content-Type": "application/json" });
          response.end(JSON.stringify(replies.map((reply) => encodeResponse(reply, base64))));
          return;
        }
        const reply = await requester.request({ body });
        response.writeHead(reply.error ? 400 : 200, { "Content-Type": "application/json" });
        response.end(JSON.stringify(encodeResponse(reply, base64)));
      } catch (error) {
        response.writeHead(500, { "Content-Type": "application/json" });
        response.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests: { read: () => requests },
    commands: { read: () => commands },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      client.disconnect();
    },
  };
}

/** A throwaway redis-server on its own port, which a test can stop and start again. */
export class DisposableRedis {
  private process: ChildProcess | null = null;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        // Lets a test make this server slow on purpose (DEBUG SLEEP).
        "--enable-debug-command",
        "yes",
      ],
      { stdio: "ignore" },
    );
    for (let attempt = 0; attempt < 50; attempt += 1) {
      if (await isRedisReachable(this.url)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as in a stalled host. */
  pause(): void {
    this.process?.kill("SIGSTOP");
  }

  resume(): void {
    this.process?.kill("SIGCONT");
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = null;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
      child.kill("SIGCONT"); // a paused server gets the SIGKILL only once it runs again
    });
  }
}

/** Counts round trips by wrapping ioredis: `call` (one command) and pipeline/multi `exec`. */
export async function countRedisRoundTrips(): Promise<{ read(): number }> {
  const { default: Redis } = await import("ioredis");
  const { Pipeline } = (await import("ioredis")) as unknown as {
    Pipeline: { prototype: { exec: () => unknown } };
  };
  let count = 0;
  const originalCall = Redis.prototype.call;
  Redis.prototype.call = function (this: unknown, ...args: unknown[]) {
    count += 1;
    return (originalCall as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Redis.prototype.call;
  if (Pipeline?.prototype?.exec) {
    const originalExec = Pipeline.prototype.exec;
    Pipeline.prototype.exec = function (this: { _queue?: { name: string }[] }, ...args: unknown[]) {
      // A MULTI's exec runs once more inside ioredis, with EXEC queued: one round trip, not two.
      if (this._queue?.at(-1)?.name !== "exec") count += 1;
      return (originalExec as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  return { read: () => count };
}
