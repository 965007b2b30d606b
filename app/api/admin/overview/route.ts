import { NextResponse } from "next/server";
import { getOverview } from "@/lib/admin/console";
import { errorResponse } from "@/lib/http/errors";

export const dynamic = "force-dynamic";

/** Sends, verifications, conversion, refusals by rule over time, top offenders, health. */
export async function GET() {
  try {
    return NextResponse.json(await getOverview(), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { route: "GET /api/admin/overview" });
  }
}
