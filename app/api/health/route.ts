import { NextResponse } from "next/server";
import { getEnv } from "@/lib/env";
import { getBackend } from "@/lib/store";

export const dynamic = "force-dynamic";

/**
 * Liveness plus what an operator needs to know first: which store (and whether it answers) and
 * which OTP provider. 503 while the store is unreachable, since no code can be sent then.
 */
export async function GET() {
  const env = getEnv();
  const backend = getBackend();
  const storeReachable = await backend.ping().then(
    () => true,
    () => false,
  );
  return NextResponse.json(
    {
      status: storeReachable ? "ok" : "unavailable",
      store: backend.kind,
      storeReachable,
      otpProvider: env.otpProvider,
      sandbox: env.otpProvider === "sandbox",
    },
    { status: storeReachable ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
