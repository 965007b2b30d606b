import { NextResponse, type NextRequest } from "next/server";
import { REQUESTED_PATH_HEADER } from "@/lib/sign-in/return-path";

/**
 * Tells the pages that need a session their own address (REQUESTED_PATH_HEADER), so that sending
 * a signed-out visitor to the sign-in page returns them here afterwards. It decides nothing: every
 * page and endpoint checks the session itself. A header a client sent is replaced, and whatever
 * the value, lib/sign-in/return-path.ts only ever returns to a path on this site.
 */
export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set(REQUESTED_PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/account/:path*", "/admin/:path*"] };
