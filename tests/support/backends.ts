import { createBackend } from "@/lib/store/create-backend";
import { createMemoryBackend } from "@/lib/store/memory-store";
import type { StoreBackend } from "@/lib/store/types";
import { isRedisReachable, REDIS_URL, startUpstashBridge, uniquePrefix } from "./redis";

export type ContractBackend = { name: string; available: boolean; create: () => StoreBackend };

/**
 * The three backends a contract suite runs on: in-process memory always; Redis over TCP and
 * Upstash over REST (through a local Upstash-compatible bridge) whenever the machine's Redis
 * answers. `close` ends the bridge; each suite closes the backends it opened.
 */
export async function contractBackends(): Promise<{
  redisReachable: boolean;
  backends: ContractBackend[];
  close: () => Promise<void>;
}> {
  const redisReachable = await isRedisReachable();
  const bridge = redisReachable ? await startUpstashBridge() : null;
  const backends: ContractBackend[] = [
    { name: "memory", available: true, create: () => createMemoryBackend() },
    {
      name: "redis over TCP",
      available: redisReachable,
      create: () =>
        createBackend({ kind: "redis", url: REDIS_URL, timeoutMs: 2000, keyPrefix: uniquePrefix("tcp") }),
    },
    {
      name: "upstash over REST",
      available: redisReachable,
      create: () =>
        createBackend({
          kind: "upstash",
          url: bridge?.url ?? "http://127.0.0.1:1",
          token: bridge?.token ?? "",
          timeoutMs: 2000,
          keyPrefix: uniquePrefix("rest"),
        }),
    },
  ];
  return { redisReachable, backends, close: async () => void (await bridge?.close()) };
}
