import { NextResponse } from "next/server";
import { z } from "zod";
import { revealEventPhone } from "@/lib/admin/console";
import { errorResponse } from "@/lib/http/errors";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";

const revealSchema = z.object({ id: z.string().max(40) }).strict();

/** Reveals the full number of one event (while retention lasts). Audited. */
export async function POST(request: Request) {
  try {
    requireSameOrigin(request);
    const { id } = await readJsonBody(request, revealSchema);
    const phone = await revealEventPhone(id);
    return NextResponse.json({ id, phone }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { route: "POST /api/admin/events/reveal" });
  }
}
