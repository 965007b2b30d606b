import { NextResponse } from "next/server";
import { requireAdminForApi } from "@/lib/admin/access";
import { diagnoseClientIp } from "@/lib/client-ip/request";
import { adminRoute } from "@/lib/http/admin-route";

/** How this very request's client address was resolved: headers, strategy, result, keys, reason. */
export const GET = adminRoute("GET /api/admin/client-ip", async (request) => {
  await requireAdminForApi();
  return NextResponse.json(diagnoseClientIp(request));
});
