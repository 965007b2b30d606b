import { NextResponse, type NextRequest } from "next/server";
import { errorResponse } from "@/lib/http/errors";
import { getPendingVerification, PENDING_COOKIE_NAME } from "@/lib/sign-in/pending-verification";
import { listVisibleSandboxMessages } from "@/lib/eight-by-eight/sandbox/inbox";

/** The sandbox inbox as JSON, newest first: `?to=+6581234567` narrows it to one number. */
export async function GET(request: NextRequest) {
  try {
    const to = request.nextUrl.searchParams.get("to") ?? undefined;
    const messages = await listVisibleSandboxMessages(
      () => getPendingVerification(request.cookies.get(PENDING_COOKIE_NAME)?.value),
      to,
    );
    return NextResponse.json({ messages }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { route: "GET /api/sandbox/messages" });
  }
}
