import type { Requester, UpstashRequest, UpstashResponse } from "@upstash/redis";
import type Redis from "ioredis";

/**
 * Lets `@upstash/redis` run on any Redis over TCP, through the `Requester` seam: each Upstash REST
 * request becomes the same command on ioredis, so both Redis backends share one client API (and
 * one set of scripts, lib/store/budgets.ts).
 */

type Command = (string | number)[];

export function createTcpRequester(client: Redis): Requester {
  /**
   * The command as it must run on Redis. Names go upper-case: ioredis reshapes some replies of
   * lower-case commands (HGETALL into an object), and @upstash/redis expects Redis's own replies.
   */
  function prepare(command: Command): Command {
    return [String(command[0]).toUpperCase(), ...command.slice(1)];
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
