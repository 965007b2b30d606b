import { NextResponse, type NextRequest } from "next/server";
import { signIn } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import { PENDING_COOKIE_NAME } from "@/lib/pending-verification";
import { codeSchemaFor } from "@/lib/phone";
import { noteClientIp, refuse, startRequestContext } from "@/lib/refusals";
import { readJsonBody } from "@/lib/request-body";
import { resolveRequestClientIp } from "@/lib/request-ip";
import { checkVerificationCode } from "@/lib/verification";

/** Checks the code for this browser's pending verification and, when right, signs it in. */
export async function POST(request: NextRequest) {
  const context = startRequestContext(request, "POST /api/otp/verify");
  try {
    const clientIp = resolveRequestClientIp(request);
    if (clientIp) noteClientIp(context, clientIp);

    // A malformed code is refused here and never spends an attempt at 8x8.
    const { code } = await readJsonBody(request, codeSchemaFor(getEnv().otp.codeLength), {
      code: "code_invalid",
    });
    const result = await checkVerificationCode(
      request.cookies.get(PENDING_COOKIE_NAME)?.value,
      code,
      context,
    );

    // Auth.js writes its session cookie into this response.
    await signIn("phone-otp", { grant: result.grant, redirect: false });

    const response = NextResponse.json(
      { status: "verified", isNewUser: result.isNewUser },
      { status: 200, headers: { "Cache-Control": "no-store", "X-Request-Id": context.requestId } },
    );
    response.cookies.delete(PENDING_COOKIE_NAME);
    return response;
  } catch (error) {
    return refuse(error, context);
  }
}
