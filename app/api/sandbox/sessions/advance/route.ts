import { NextResponse } from "next/server";
import { z } from "zod";
import { AppError, errorResponse } from "@/lib/errors";
import { readJsonBody } from "@/lib/request-body";
import { requireSandboxControls } from "@/lib/sandbox-inbox";

const advanceSchema = z
  .object({
    to: z.string().regex(/^\+\d{6,15}$/, "Use an E.164 number."),
    seconds: z.number().int().min(1).max(86_400),
  })
  .strict();

/** Moves the pending 8x8 session of one number forward in time: resend countdowns and expiry, in tests. */
export async function POST(request: Request) {
  try {
    const emulator = await requireSandboxControls();
    const { to, seconds } = await readJsonBody(request, advanceSchema);
    if (!emulator.advancePendingSession(to, seconds)) {
      throw new AppError("not_found", "No pending session for that number.");
    }
    return NextResponse.json({ status: "advanced" });
  } catch (error) {
    return errorResponse(error, { route: "POST /api/sandbox/sessions/advance" });
  }
}
