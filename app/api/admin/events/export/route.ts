import { exportThrottleEventsCsv, parseEventQuery } from "@/lib/admin/console";
import { adminRoute } from "@/lib/http/admin-route";

export const dynamic = "force-dynamic";

/** The filtered throttle events as CSV (same parameters as the list), at most 10,000 rows. */
export const GET = adminRoute("GET /api/admin/events/export", async (request) => {
  const csv = await exportThrottleEventsCsv(parseEventQuery(request.nextUrl.searchParams));
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="throttle-events-${new Date().toISOString().slice(0, 16)}.csv"`,
    },
  });
});
