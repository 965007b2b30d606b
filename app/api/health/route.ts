import { NextResponse } from "next/server";
import { getEnv } from "@/lib/env";
import { getStore } from "@/lib/store";

export const dynamic = "force-dynamic";

/** Liveness plus what an operator needs to know first: which store and which OTP provider. */
export function GET() {
  const env = getEnv();
  return NextResponse.json(
    {
      status: "ok",
      store: getStore().kind,
      otpProvider: env.otpProvider,
      sandbox: env.otpProvider === "sandbox",
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}
