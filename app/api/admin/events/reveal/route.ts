import { NextResponse } from "next/server";
import { revealEventPhone } from "@/lib/admin/console";
import { revealRequestSchema, type RevealPhoneResponse } from "@/lib/api/admin";
import { errorResponse } from "@/lib/http/errors";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";

/** Reveals the full number of one event (while retention lasts). Audited. */
export async function POST(request: Request) {
  try {
    requireSameOrigin(request);
    const { id } = await readJsonBody(request, revealRequestSchema);
    const phone = await revealEventPhone(id);
    return NextResponse.json<RevealPhoneResponse>(
      { id, phone },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    return errorResponse(error, { route: "POST /api/admin/events/reveal" });
  }
}
