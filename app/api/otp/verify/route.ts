import { NextResponse, type NextRequest } from "next/server";
import { signIn } from "@/lib/auth";
import { deriveIpKeys } from "@/lib/client-ip/strategies";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { KNOWN_DEVICE_COOKIE_NAME, knownDeviceCookie } from "@/lib/sign-in/known-device";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { PENDING_COOKIE_NAME } from "@/lib/sign-in/pending-verification";
import { verifyRequestSchemaFor, type VerifyCodeResponse } from "@/lib/api/otp";
import { noteClientIp, refuse, startRequestContext } from "@/lib/http/public-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireClientIp, resolveRequestClientIp } from "@/lib/client-ip/request";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { wasRedeemedHere } from "@/lib/sign-in/grants";
import { recordTraffic } from "@/lib/events";
import { checkVerificationCode } from "@/lib/sign-in/verification";

/** Checks the code for this browser's pending verification and, when right, signs it in. */
export async function POST(request: NextRequest) {
  const context = startRequestContext(request, "POST /api/otp/verify");
  const clientIp = resolveRequestClientIp(request);
  if (clientIp) noteClientIp(context, clientIp);
  try {
    const env = getEnv();
    requireSameOrigin(request);

    // A malformed code is refused here and never spends an attempt.
    const { code } = await readJsonBody(request, verifyRequestSchemaFor(env.otp.codeLength), {
      code: "code_invalid",
    });
    // As for sends: without a trustworthy address no per-address limit could hold.
    requireClientIp(clientIp);
    const ipKey = deriveIpKeys(clientIp, env.clientIp.ipv6Prefix)!.address;
    const result = await checkVerificationCode(
      request.cookies.get(PENDING_COOKIE_NAME)?.value,
      code,
      ipKey,
      request.cookies.get(KNOWN_DEVICE_COOKIE_NAME)?.value,
      context,
    );

    // Auth.js writes its session cookie into this response.
    await signIn("phone-otp", { grant: result.grant, redirect: false });
    if (!wasRedeemedHere(result.grant)) {
      // The code is used up, but no session was issued: say so (503), never a 200 without one.
      console.error(
        "[otp-shield] Auth.js did not sign the verified user in: check AUTH_URL / AUTH_TRUST_HOST",
      );
      throw new AppError(
        "unavailable",
        "We can't sign you in right now. Please request a new code in a minute.",
        {
          rule: "auth.session_not_issued",
        },
      );
    }

    const response = NextResponse.json<VerifyCodeResponse>(
      { status: "verified", isNewUser: result.isNewUser },
      { status: 200, headers: { "Cache-Control": "no-store", "X-Request-Id": context.requestId } },
    );
    response.cookies.delete(PENDING_COOKIE_NAME);
    // This browser may now draw on the number's reserve if an attacker spends its budget.
    const device = knownDeviceCookie(request, result.phone);
    response.cookies.set(device.name, device.value, device.options);
    recordTraffic("verified");
    return response;
  } catch (error) {
    return refuse(error, context);
  }
}

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
