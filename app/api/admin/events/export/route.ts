import type { NextRequest } from "next/server";
import { exportThrottleEventsCsv, parseEventQuery } from "@/lib/admin/console";
import { errorResponse } from "@/lib/http/errors";

export const dynamic = "force-dynamic";

/** The filtered throttle events as CSV (same parameters as the list), at most 10,000 rows. */
export async function GET(request: NextRequest) {
  try {
    const csv = await exportThrottleEventsCsv(parseEventQuery(request.nextUrl.searchParams));
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="throttle-events-${new Date().toISOString().slice(0, 16)}.csv"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    return errorResponse(error, { route: "GET /api/admin/events/export" });
  }
}
