import { NextResponse } from "next/server";
import { z } from "zod";
import { AppError, errorResponse } from "@/lib/errors";
import { readJsonBody } from "@/lib/request-body";
import { requireSandboxControls } from "@/lib/sandbox-inbox";

const expireSchema = z.object({ to: z.string().regex(/^\+\d{6,15}$/, "Use an E.164 number.") }).strict();

/** Ends the pending 8x8 session for a number as if its validity had run out (tests of expired codes). */
export async function POST(request: Request) {
  try {
    const emulator = await requireSandboxControls();
    const { to } = await readJsonBody(request, expireSchema);
    if (!emulator.expirePendingSession(to)) throw new AppError("not_found", "No pending session for that number.");
    return NextResponse.json({ status: "expired" });
  } catch (error) {
    return errorResponse(error, { route: "POST /api/sandbox/sessions/expire" });
  }
}
