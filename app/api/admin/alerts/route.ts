import { NextResponse } from "next/server";
import { getAlertConsole } from "@/lib/admin/alerts";
import { errorResponse } from "@/lib/http/errors";

export const dynamic = "force-dynamic";

/** The webhook's origin, each recent alert's delivery status and the dropped count. */
export async function GET() {
  try {
    return NextResponse.json(await getAlertConsole(), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { route: "GET /api/admin/alerts" });
  }
}
