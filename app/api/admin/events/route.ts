import { NextResponse, type NextRequest } from "next/server";
import { listThrottleEvents, parseEventQuery } from "@/lib/admin/console";
import type { EventsResponse } from "@/lib/api/admin";
import { errorResponse } from "@/lib/http/errors";

export const dynamic = "force-dynamic";

/**
 * Throttle events, newest first: `?limit=` (1–200, larger is clamped), `?cursor=` from the
 * previous page's `nextCursor`, filters `rule`, `route`, `from`, `to`, `ip` (address or network),
 * `country`, `prefix`. Unknown or malformed parameters are a 400. Numbers come without their last
 * four digits; `POST /api/admin/events/reveal` (audited) is the only way to the full number.
 */
export async function GET(request: NextRequest) {
  try {
    const page = await listThrottleEvents(parseEventQuery(request.nextUrl.searchParams));
    return NextResponse.json<EventsResponse>(page, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { route: "GET /api/admin/events" });
  }
}
