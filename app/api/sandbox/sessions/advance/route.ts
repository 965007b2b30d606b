import { NextResponse } from "next/server";
import { z } from "zod";
import { sandboxRoute } from "@/lib/http/admin-route";
import { readJsonBody } from "@/lib/http/request-body";
import { ageResendDelay } from "@/lib/defenses/limits";
import { requireSandboxControls } from "@/lib/eight-by-eight/sandbox/inbox";

const advanceSchema = z
  .object({
    to: z.string().regex(/^\+\d{6,15}$/, "Use an E.164 number."),
    seconds: z.number().int().min(1).max(86_400),
  })
  .strict();

/**
 * Moves one number forward in time, in tests and local development: its newest 8x8 session
 * (expiry, and the resend interval, which a finished session still imposes) and the app's growing
 * resend delay for it. `pendingSession` says whether that session was still waiting for a code.
 */
export const POST = sandboxRoute("POST /api/sandbox/sessions/advance", async (request) => {
  const emulator = await requireSandboxControls();
  const { to, seconds } = await readJsonBody(request, advanceSchema);
  const pendingSession = emulator.advancePendingSession(to, seconds);
  await ageResendDelay(to, seconds);
  return NextResponse.json({ status: "advanced", pendingSession });
});
