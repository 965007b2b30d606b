import { NextResponse } from "next/server";
import { revealEventPhone } from "@/lib/admin/console";
import { revealRequestSchema, type RevealPhoneResponse } from "@/lib/api/admin";
import { adminRoute } from "@/lib/http/admin-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";

/** Reveals the full number of one event (while retention lasts). Audited. */
export const POST = adminRoute("POST /api/admin/events/reveal", async (request) => {
  requireSameOrigin(request);
  const { id } = await readJsonBody(request, revealRequestSchema);
  const phone = await revealEventPhone(id);
  return NextResponse.json<RevealPhoneResponse>({ id, phone });
});
