import { NextResponse, type NextRequest } from "next/server";
import { listThrottleEvents, parseEventQuery } from "@/lib/admin-console";
import { errorResponse } from "@/lib/errors";

export const dynamic = "force-dynamic";

/**
 * Throttle events, newest first: `?limit=` (1–200, larger is clamped), `?cursor=` from the
 * previous page's `nextCursor`, filters `rule`, `route`, `from`, `to`, `ip` (address or network),
 * `country`, `prefix`, `phoneSuffix`. Unknown or malformed parameters are a 400.
 */
export async function GET(request: NextRequest) {
  try {
    const page = await listThrottleEvents(parseEventQuery(request.nextUrl.searchParams));
    return NextResponse.json(page, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { route: "GET /api/admin/events" });
  }
}
