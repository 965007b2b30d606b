import { NextResponse } from "next/server";
import { getEnv } from "@/lib/env";
import { getBackend } from "@/lib/store";

export const dynamic = "force-dynamic";

/**
 * Liveness plus what an operator needs to know first: which store (and whether it answers and
 * accepts writes) and which OTP provider. 503 whenever no code could be sent:
 * - `unavailable`: the store does not answer (stopped, paused, slower than its deadline);
 * - `degraded`: it answers but refuses writes (a Redis at `maxmemory`), so every limit fails.
 * Both probes run at once, so the answer comes within one store deadline.
 */
export async function GET() {
  const env = getEnv();
  const backend = getBackend();
  const [reachable, writable] = await Promise.all(
    [backend.ping(), backend.probeWrite()].map((probe) =>
      probe.then(
        () => true,
        () => false,
      ),
    ),
  );
  const status = writable ? "ok" : reachable ? "degraded" : "unavailable";
  return NextResponse.json(
    {
      status,
      store: backend.kind,
      storeReachable: reachable,
      storeWritable: writable,
      otpProvider: env.otpProvider,
      sandbox: env.otpProvider === "sandbox",
    },
    { status: status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
