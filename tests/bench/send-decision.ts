/**
 * Shared by the send-path benches: a refused send decision, measured in process through the real
 * route handler, and a count of Redis round trips (each ioredis call or pipeline is one).
 */
import { NextRequest } from "next/server";

export async function loadSendRoute() {
  const [{ POST }, { createAltchaChallenge }] = await Promise.all([
    import("@/app/api/otp/send/route"),
    import("@/lib/defenses/captcha"),
  ]);
  return { send: POST, createAltchaChallenge };
}

export function refusedSendRequest(address: string): NextRequest {
  return new NextRequest("http://localhost/api/otp/send", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": address },
    body: JSON.stringify({ phone: "+6581234567", captcha: "forged" }),
  });
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
