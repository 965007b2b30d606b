import { NextResponse } from "next/server";
import { getAlertConsole } from "@/lib/admin/alerts";
import { adminRoute } from "@/lib/http/admin-route";

export const dynamic = "force-dynamic";

/** The webhook's origin, each recent alert's delivery status and the dropped count. */
export const GET = adminRoute("GET /api/admin/alerts", async () =>
  NextResponse.json(await getAlertConsole()),
);
