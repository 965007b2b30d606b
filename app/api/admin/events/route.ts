import { NextResponse } from "next/server";
import { listThrottleEvents, parseEventQuery } from "@/lib/admin/console";
import type { EventsResponse } from "@/lib/api/admin";
import { adminRoute } from "@/lib/http/admin-route";

export const dynamic = "force-dynamic";

/**
 * Throttle events, newest first: `?limit=` (1–200, larger is clamped), `?cursor=` from the
 * previous page's `nextCursor`, filters `rule`, `route`, `from`, `to`, `ip` (address or network),
 * `country`, `prefix`. Unknown or malformed parameters are a 400. Numbers come without their last
 * four digits; `POST /api/admin/events/reveal` (audited) is the only way to the full number.
 */
export const GET = adminRoute("GET /api/admin/events", async (request) => {
  const page = await listThrottleEvents(parseEventQuery(request.nextUrl.searchParams));
  return NextResponse.json<EventsResponse>(page);
});
