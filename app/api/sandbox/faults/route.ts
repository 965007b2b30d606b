import { NextResponse } from "next/server";
import { z } from "zod";
import { sandboxRoute } from "@/lib/http/admin-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSandboxControls } from "@/lib/eight-by-eight/sandbox/inbox";

const faultSchema = z
  .object({
    kind: z.enum(["rate_limit", "server_error", "slow", "hang", "malformed", "http_error"]),
    destination: z
      .string()
      .regex(/^\+\d{6,15}$/, "Use an E.164 number.")
      .optional(),
    operation: z.enum(["create", "check", "lookup"]).optional(),
    times: z.number().int().min(1).max(1000).default(1),
    retryAfterSeconds: z.number().int().min(1).max(3600).optional(),
    delayMs: z.number().int().min(0).max(60_000).optional(),
    /** `http_error`: the HTTP status and 8x8 code to answer with, e.g. 403 and 1201. */
    status: z.number().int().min(400).max(599).optional(),
    code: z.number().int().min(0).max(99_999).optional(),
  })
  .strict()
  .refine((fault) => fault.kind !== "http_error" || fault.status !== undefined, {
    path: ["status"],
    message: "An http_error fault needs the HTTP status to answer with.",
  });

/** Makes the sandbox misbehave for the next `times` matching requests (tests and local development). */
export const POST = sandboxRoute("POST /api/sandbox/faults", async (request) => {
  const emulator = await requireSandboxControls();
  const fault = await readJsonBody(request, faultSchema);
  emulator.addFault(fault);
  return NextResponse.json({ fault }, { status: 201 });
});

/** Clears pending faults, all of them or those for `?destination=`. */
export const DELETE = sandboxRoute("DELETE /api/sandbox/faults", async (request) => {
  const emulator = await requireSandboxControls();
  emulator.clearFaults(request.nextUrl.searchParams.get("destination") ?? undefined);
  return new NextResponse(null, { status: 204 });
});
