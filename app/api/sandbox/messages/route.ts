import { NextResponse } from "next/server";
import { sandboxRoute } from "@/lib/http/admin-route";
import { getPendingVerification, PENDING_COOKIE_NAME } from "@/lib/sign-in/pending-verification";
import { listVisibleSandboxMessages } from "@/lib/eight-by-eight/sandbox/inbox";

/** The sandbox inbox as JSON, newest first: `?to=+6581234567` narrows it to one number. */
export const GET = sandboxRoute("GET /api/sandbox/messages", async (request) => {
  const to = request.nextUrl.searchParams.get("to") ?? undefined;
  const messages = await listVisibleSandboxMessages(
    () => getPendingVerification(request.cookies.get(PENDING_COOKIE_NAME)?.value),
    to,
  );
  return NextResponse.json({ messages });
});
