import { NextResponse } from "next/server";
import { requireAdminForApi } from "@/lib/admin/access";
import { listAdminActions } from "@/lib/admin/audit";
import type { AuditResponse } from "@/lib/api/admin";
import { adminRoute } from "@/lib/http/admin-route";

export const dynamic = "force-dynamic";

/** The newest 100 admin actions. */
export const GET = adminRoute("GET /api/admin/audit", async () => {
  await requireAdminForApi();
  return NextResponse.json<AuditResponse>({ actions: await listAdminActions() });
});
