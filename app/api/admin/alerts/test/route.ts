import { NextResponse } from "next/server";
import { requireAdminForApi } from "@/lib/admin/access";
import { recordAdminAction } from "@/lib/admin/audit";
import { sendTestAlert } from "@/lib/admin/alerts";
import { errorResponse } from "@/lib/http/errors";
import { requireSameOrigin } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/** Sends a test alert to the configured webhook (after the response), and answers its id. Audited. */
export async function POST(request: Request) {
  try {
    const session = await requireAdminForApi();
    requireSameOrigin(request);
    const id = await sendTestAlert();
    await recordAdminAction({ admin: session.user.phone, action: "send test alert", target: id ?? "none" });
    return NextResponse.json({ id }, { status: 202, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { route: "POST /api/admin/alerts/test" });
  }
}
