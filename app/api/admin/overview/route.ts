import { NextResponse } from "next/server";
import { getOverview } from "@/lib/admin/console";
import type { OverviewResponse } from "@/lib/api/admin";
import { errorResponse } from "@/lib/http/errors";

export const dynamic = "force-dynamic";

/** Sends, verifications, conversion, refusals by rule over time, top offenders, health. */
export async function GET() {
  try {
    return NextResponse.json<OverviewResponse>(await getOverview(), {
      headers: { "Cache-Control": "no-store" },
    });
  } catch (error) {
    return errorResponse(error, { route: "GET /api/admin/overview" });
  }
}
