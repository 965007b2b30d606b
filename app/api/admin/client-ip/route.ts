import { NextResponse } from "next/server";
import { requireAdminForApi } from "@/lib/admin/access";
import { errorResponse } from "@/lib/http/errors";
import { diagnoseClientIp } from "@/lib/client-ip/request";

/** How this very request's client address was resolved: headers, strategy, result, keys, reason. */
export async function GET(request: Request) {
  try {
    await requireAdminForApi();
    return NextResponse.json(diagnoseClientIp(request), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { route: "GET /api/admin/client-ip" });
  }
}
