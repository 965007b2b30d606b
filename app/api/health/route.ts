import { NextResponse } from "next/server";
import { queryDatabase } from "@/lib/db";
import { sql } from "drizzle-orm";
import { getEnv } from "@/lib/env";
import { getBackend } from "@/lib/store";

export const dynamic = "force-dynamic";

/**
 * Liveness plus what an operator needs to know first: which store (and whether it answers and
 * accepts writes), whether the database answers, and which OTP provider. 503 whenever nobody
 * could sign in:
 * - `unavailable`: the store or the database does not answer (stopped, paused, slower than its
 *   deadline);
 * - `degraded`: the store answers but refuses writes (a Redis at `maxmemory`), so every limit fails.
 * The probes run at once, so the answer comes within one deadline.
 */
export async function GET() {
  const env = getEnv();
  const backend = getBackend();
  const [reachable, writable, databaseReachable] = await Promise.all(
    [backend.ping(), backend.probeWrite(), queryDatabase("health", (db) => db.execute(sql`select 1`))].map(
      (probe) =>
        probe.then(
          () => true,
          () => false,
        ),
    ),
  );
  const status =
    writable && databaseReachable ? "ok" : reachable && databaseReachable ? "degraded" : "unavailable";
  return NextResponse.json(
    {
      status,
      store: backend.kind,
      storeReachable: reachable,
      storeWritable: writable,
      database: env.database.kind,
      databaseReachable,
      otpProvider: env.otpProvider,
      sandbox: env.otpProvider === "sandbox",
    },
    { status: status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
