import { NextResponse } from "next/server";
import { getOverview } from "@/lib/admin/console";
import type { OverviewResponse } from "@/lib/api/admin";
import { adminRoute } from "@/lib/http/admin-route";

export const dynamic = "force-dynamic";

/** Sends, verifications, conversion, refusals by rule over time, top offenders, health. */
export const GET = adminRoute("GET /api/admin/overview", async () =>
  NextResponse.json<OverviewResponse>(await getOverview()),
);
