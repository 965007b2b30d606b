import { NextResponse } from "next/server";
import { signIn } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import { recordTraffic } from "@/lib/events";
import { refusal } from "@/lib/http/errors";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { publicRoute, requireClientIp } from "@/lib/http/public-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { verifyRequestSchemaFor, type VerifyCodeResponse } from "@/lib/api/otp";
import { checkCode } from "@/lib/sign-in/check-code";
import { wasRedeemedHere } from "@/lib/sign-in/grants";
import { KNOWN_DEVICE_COOKIE_NAME } from "@/lib/sign-in/known-device";
import { PENDING_COOKIE_NAME } from "@/lib/sign-in/pending-verification";
import { startSession } from "@/lib/sign-in/start-session";

/** Checks the code for this browser's pending verification and, when right, signs it in. */
export const POST = publicRoute("POST /api/otp/verify", async (request, context) => {
  requireSameOrigin(request);
  // A malformed code is refused here and never spends an attempt.
  const { code } = await readJsonBody(request, verifyRequestSchemaFor(getEnv().otp.codeLength));
  // As for sends: without a trustworthy address no per-address limit could hold.
  const { ipKeys } = requireClientIp(context);
  const cookies = {
    pending: request.cookies.get(PENDING_COOKIE_NAME)?.value,
    device: request.cookies.get(KNOWN_DEVICE_COOKIE_NAME)?.value,
  };
  const result = await checkCode(cookies, code, context, ipKeys.address);
  const started = await startSession(request, context, result.user, "sms");
  try {
    await result.complete();
  } catch (error) {
    // Another check of the same code won: this browser gets no session.
    await started.abandon();
    throw error;
  }

  // Auth.js writes its session cookie into this response.
  await signIn("sign-in-grant", { grant: started.grant, redirect: false });
  if (!wasRedeemedHere(started.grant)) {
    // The code is used up, but no session was issued: say so (503), never a 200 without one.
    console.error("[otp-shield] Auth.js did not sign the verified user in: check AUTH_URL / AUTH_TRUST_HOST");
    await started.abandon();
    throw refusal("auth.session_not_issued");
  }

  const response = NextResponse.json<VerifyCodeResponse>({ status: "verified", isNewUser: result.isNewUser });
  response.cookies.delete(PENDING_COOKIE_NAME);
  // This browser may now draw on the number's reserve if an attacker spends its budget.
  const device = started.deviceCookie;
  response.cookies.set(device.name, device.value, device.options);
  const { destination } = context;
  recordTraffic("verified", {
    country: destination!.country,
    range: destination!.range,
    prefix: destination!.prefix,
    subnet: ipKeys.aggregate,
    pendingId: result.pendingId,
    priceMills: 0,
  });
  return response;
});

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
