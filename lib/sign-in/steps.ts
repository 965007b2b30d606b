import "server-only";
import type { NextRequest } from "next/server";
import type { SendCodeResponse } from "@/lib/api/otp";
import { signIn } from "@/lib/auth";
import { smsPriceMills } from "@/lib/defenses/limits";
import { decideSend, type ReadSendInput } from "@/lib/defenses/send-policy";
import { recordTraffic } from "@/lib/events";
import { refusal } from "@/lib/http/errors";
import { requireClientIp, type RequestContext } from "@/lib/http/public-route";
import { checkCode } from "./check-code";
import { wasRedeemedHere } from "./grants";
import { KNOWN_DEVICE_COOKIE_NAME } from "./known-device";
import { PENDING_COOKIE_NAME, pendingCookie } from "./pending-verification";
import { sendCode } from "./send-code";
import { startSession } from "./start-session";

/**
 * The two steps of signing in, shared by the JSON API (app/api/otp/send, app/api/otp/verify) and
 * the sign-in page's server actions (app/sign-in/actions.ts), so a form posted without JavaScript
 * passes exactly the guards a script does. Each step returns the cookies its caller sets.
 */

export type CookieToSet = ReturnType<typeof pendingCookie>;

/**
 * Sends a sign-in code when the send policy (lib/defenses/send-policy.ts) admits it. Sign-up and
 * sign-in look exactly the same from outside.
 */
export async function requestCode(
  request: NextRequest,
  context: RequestContext,
  /** The body, read by the send policy once the sender is known to be served. */
  readInput: ReadSendInput,
): Promise<{ sent: SendCodeResponse; cookie: CookieToSet; e164: string }> {
  const { pendingId, clientIp, destination } = await decideSend(request, context, readInput);
  const sent = await sendCode(pendingId, destination.phone, clientIp);
  recordTraffic("sent", {
    country: destination.country,
    range: destination.range,
    prefix: destination.prefix,
    subnet: context.ipKeys?.aggregate ?? null,
    pendingId,
    priceMills: smsPriceMills(destination.country),
  });
  return {
    sent: { status: "sent", expiresAt: sent.pending.expiresAt, resendAfter: sent.resendAfter },
    cookie: pendingCookie(request, sent),
    e164: destination.phone,
  };
}

/**
 * Checks the code for this browser's pending verification and, when right, signs it in: Auth.js
 * writes its session cookie into the response being made (route handler or server action).
 */
export async function completeSignIn(
  request: NextRequest,
  context: RequestContext,
  code: string,
): Promise<{ isNewUser: boolean; cookies: { set: CookieToSet[]; delete: string[] } }> {
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

  await signIn("sign-in-grant", { grant: started.grant, redirect: false });
  if (!wasRedeemedHere(started.grant)) {
    // The code is used up, but no session was issued: say so (503), never a 200 without one.
    console.error("[otp-shield] Auth.js did not sign the verified user in: check AUTH_URL / AUTH_TRUST_HOST");
    await started.abandon();
    throw refusal("auth.session_not_issued");
  }
  const { destination } = context;
  recordTraffic("verified", {
    country: destination!.country,
    range: destination!.range,
    prefix: destination!.prefix,
    subnet: ipKeys.aggregate,
    pendingId: result.pendingId,
    priceMills: 0,
  });
  return {
    isNewUser: result.isNewUser,
    // This browser may now draw on the number's reserve if an attacker spends its budget.
    cookies: { set: [started.deviceCookie], delete: [PENDING_COOKIE_NAME] },
  };
}
