import { Redis as UpstashRedis } from "@upstash/redis";
import IORedis from "ioredis";
import { config } from "@/lib/config";
import { createMemoryBackend } from "./memory-store";
import { createRedisBackend } from "./redis-backend";
import { createTcpRequester } from "./redis-tcp-requester";
import type { StoreBackend } from "./types";

export type StoreSettings =
  | { kind: "memory" }
  | { kind: "upstash"; url: string; token: string; timeoutMs: number; keyPrefix: string }
  | { kind: "redis"; url: string; timeoutMs: number; keyPrefix: string };

/**
 * The backend chosen by configuration:
 * - `UPSTASH_REDIS_REST_URL` + `UPSTASH_REDIS_REST_TOKEN` → Upstash over HTTP (serverless hosts);
 * - `REDIS_URL` → any Redis over TCP, through the same @upstash/redis API;
 * - neither → in-process memory (one instance; fine for development and a single server).
 */
export function createBackend(settings: StoreSettings): StoreBackend {
  switch (settings.kind) {
    case "memory":
      return createMemoryBackend();
    case "upstash": {
      const redis = new UpstashRedis({
        url: settings.url,
        token: settings.token,
        // One attempt, bounded by our deadline: the client's default retries for seconds.
        retry: false,
        signal: () => AbortSignal.timeout(settings.timeoutMs),
        enableTelemetry: false,
      });
      return createRedisBackend({
        kind: "upstash",
        description: `Upstash Redis over HTTP (${new URL(settings.url).host}): shared by every instance`,
        redis,
        keyPrefix: settings.keyPrefix,
        timeoutMs: settings.timeoutMs,
      });
    }
    case "redis": {
      const client = new IORedis(settings.url, {
        connectTimeout: settings.timeoutMs,
        commandTimeout: settings.timeoutMs,
        // Fail a command after one reconnection attempt instead of queueing it for seconds; keep
        // reconnecting in the background so the app recovers by itself when Redis is back.
        maxRetriesPerRequest: 1,
        retryStrategy: (attempt) =>
          Math.min(attempt * config.store.reconnectStep.value, config.store.reconnectMax.value),
      });
      let lastLoggedAt = 0;
      client.on("error", (error: Error) => {
        if (Date.now() - lastLoggedAt < config.store.errorLogInterval.value) return;
        lastLoggedAt = Date.now();
        console.error(`[otp-shield] Redis connection error: ${error.message}`);
      });
      const target = new URL(settings.url);
      return createRedisBackend({
        kind: "redis",
        description: `Redis over TCP (${target.hostname}:${target.port || 6379}): shared by every instance`,
        redis: new UpstashRedis(createTcpRequester(client)),
        keyPrefix: settings.keyPrefix,
        timeoutMs: settings.timeoutMs,
        // QUIT lets Redis answer what was sent; bounded, since the Redis may be the thing that is gone.
        close: async () => {
          await Promise.race([
            client.quit().catch(() => undefined),
            new Promise((resolve) => setTimeout(resolve, settings.timeoutMs).unref()),
          ]);
          client.disconnect();
        },
      });
    }
  }
}
