import { createHash } from "node:crypto";
import type { Requester, UpstashRequest, UpstashResponse } from "@upstash/redis";
import type Redis from "ioredis";

/**
 * Lets `@upstash/redis` — and so `@upstash/ratelimit`, unchanged — run on any Redis over TCP,
 * through the `Requester` seam: each Upstash REST request becomes the same command on ioredis.
 *
 * One incompatibility is bridged: @upstash/ratelimit ≥ 2.1 starts its Lua scripts with
 * `#!lua flags=allow-key-locking`, an Upstash-only flag that open-source Redis rejects
 * ("Unexpected flag in script shebang"). Such flags are dropped from EVAL scripts, and the hash the
 * library computed for the original script is mapped to the rewritten one for EVALSHA. A flag that
 * is neither Redis's own nor known to be droppable is an error, never silently removed.
 */

/** Flags open-source Redis 7 understands (redis.io, "Script flags"). */
export const REDIS_SCRIPT_FLAGS = new Set([
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys",
]);
/** Upstash-only flags that change nothing on a single Redis, and so can be dropped. */
export const DROPPABLE_SCRIPT_FLAGS = new Set(["allow-key-locking"]);

export class UnknownScriptFlagError extends Error {
  override name = "UnknownScriptFlagError";
}

/** The script with droppable shebang flags removed; throws on a flag nobody has reviewed. */
export function rewriteScriptForRedis(script: string): string {
  if (!script.startsWith("#!")) return script;
  const lineEnd = script.indexOf("\n");
  const shebang = lineEnd === -1 ? script : script.slice(0, lineEnd);
  const rest = lineEnd === -1 ? "" : script.slice(lineEnd);
  const parts = shebang.split(" ").filter(Boolean);
  const kept: string[] = [parts[0]!];
  for (const part of parts.slice(1)) {
    if (!part.startsWith("flags=")) {
      kept.push(part);
      continue;
    }
    const flags = part.slice("flags=".length).split(",").filter(Boolean);
    for (const flag of flags) {
      if (!REDIS_SCRIPT_FLAGS.has(flag) && !DROPPABLE_SCRIPT_FLAGS.has(flag)) {
        throw new UnknownScriptFlagError(
          `Lua script flag "${flag}" is neither a Redis flag nor known to be safe to drop: review it in lib/store/redis-tcp-requester.ts`,
        );
      }
    }
    const redisFlags = flags.filter((flag) => REDIS_SCRIPT_FLAGS.has(flag));
    if (redisFlags.length > 0) kept.push(`flags=${redisFlags.join(",")}`);
  }
  return `${kept.join(" ")}${rest}`;
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

type Command = (string | number)[];

export function createTcpRequester(client: Redis): Requester {
  /** sha1(original script) → sha1(script as Redis stores it). */
  const rewrittenHashes = new Map<string, string>();

  /**
   * The command as it must run on Redis. Names go upper-case: ioredis reshapes some replies of
   * lower-case commands (HGETALL into an object), and @upstash/redis expects Redis's own replies.
   */
  function prepare(command: Command): Command {
    const lower = String(command[0]).toLowerCase();
    const name = lower.toUpperCase();
    const args = command.slice(1);
    if ((lower === "eval" || lower === "eval_ro") && typeof args[0] === "string") {
      const rewritten = rewriteScriptForRedis(args[0]);
      if (rewritten !== args[0]) rewrittenHashes.set(sha1(args[0]), sha1(rewritten));
      return [name, rewritten, ...args.slice(1)];
    }
    if (lower === "evalsha" || lower === "evalsha_ro") {
      return [name, rewrittenHashes.get(String(args[0])) ?? args[0]!, ...args.slice(1)];
    }
    return [name, ...args];
  }

  async function runOne(command: Command): Promise<UpstashResponse<unknown>> {
    const [name, ...args] = prepare(command);
    try {
      return { result: await client.call(String(name), ...args.map(String)) };
    } catch (error) {
      if (isReplyError(error)) return { result: undefined, error: error.message };
      throw error;
    }
  }

  async function runBatch(commands: Command[], transaction: boolean): Promise<UpstashResponse<unknown>[]> {
    const batch = transaction ? client.multi() : client.pipeline();
    for (const command of commands) {
      const [name, ...args] = prepare(command);
      batch.call(String(name), ...args.map(String));
    }
    const results = (await batch.exec()) ?? [];
    return results.map(([error, result]) =>
      error ? { result: undefined, error: error.message } : { result: result as unknown },
    );
  }

  return {
    async request<TResult>(request: UpstashRequest): Promise<UpstashResponse<TResult>> {
      const path = request.path?.[0];
      if (path === "pipeline" || path === "multi-exec") {
        return (await runBatch(
          request.body as Command[],
          path === "multi-exec",
        )) as unknown as UpstashResponse<TResult>;
      }
      return (await runOne(request.body as Command)) as UpstashResponse<TResult>;
    },
  };
}

function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === "ReplyError";
}
