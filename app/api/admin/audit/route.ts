import { NextResponse } from "next/server";
import { requireAdminForApi } from "@/lib/admin/access";
import { listAdminActions } from "@/lib/admin/audit";
import type { AuditResponse } from "@/lib/api/admin";
import { errorResponse } from "@/lib/http/errors";

export const dynamic = "force-dynamic";

/** The newest 100 admin actions. */
export async function GET() {
  try {
    await requireAdminForApi();
    return NextResponse.json<AuditResponse>(
      { actions: await listAdminActions() },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    return errorResponse(error, { route: "GET /api/admin/audit" });
  }
}
