import { NextResponse } from "next/server";
import { requireAdminForApi } from "@/lib/admin/access";
import { sendTestAlert } from "@/lib/admin/alerts";
import { recordAdminAction } from "@/lib/admin/audit";
import { adminRoute } from "@/lib/http/admin-route";
import { requireSameOrigin } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/** Sends a test alert to the configured webhook (after the response), and answers its id. Audited. */
export const POST = adminRoute("POST /api/admin/alerts/test", async (request) => {
  const session = await requireAdminForApi();
  requireSameOrigin(request);
  const id = await sendTestAlert();
  await recordAdminAction(session, { action: "send test alert", target: id ?? "none" });
  return NextResponse.json({ id }, { status: 202 });
});
