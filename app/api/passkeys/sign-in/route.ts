import { NextResponse } from "next/server";
import { authenticationRequestSchema, type PasskeySignInResponse } from "@/lib/api/passkeys";
import { signIn } from "@/lib/auth";
import { decidePasskeyBudgets } from "@/lib/defenses/limits";
import { refusal } from "@/lib/http/errors";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { publicRoute, requireClientIp } from "@/lib/http/public-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { finishSignIn } from "@/lib/passkeys/ceremonies";
import { CHALLENGE_COOKIE_NAME } from "@/lib/passkeys/challenges";
import { wasRedeemedHere } from "@/lib/sign-in/grants";
import { startSession } from "@/lib/sign-in/start-session";

/**
 * Signs this browser in with a passkey's answer to its prompt: no SMS is sent, nothing is spent,
 * and the session starts through the same single-use grant as a verified code.
 */
export const POST = publicRoute("POST /api/passkeys/sign-in", async (request, context) => {
  requireSameOrigin(request);
  const body = await readJsonBody(request, authenticationRequestSchema);
  const { ipKeys } = requireClientIp(context);
  await decidePasskeyBudgets(ipKeys);
  const user = await finishSignIn(request, body);
  const started = await startSession(request, context, user, "passkey");

  // Auth.js writes its session cookie into this response.
  await signIn("sign-in-grant", { grant: started.grant, redirect: false });
  if (!wasRedeemedHere(started.grant)) {
    console.error("[otp-shield] Auth.js did not sign the passkey user in: check AUTH_URL / AUTH_TRUST_HOST");
    await started.abandon();
    throw refusal("auth.session_not_issued", {
      message: "We can't sign you in right now. Please try again in a minute.",
    });
  }

  const response = NextResponse.json<PasskeySignInResponse>({ status: "signed-in" });
  response.cookies.delete(CHALLENGE_COOKIE_NAME);
  const device = started.deviceCookie;
  response.cookies.set(device.name, device.value, device.options);
  return response;
});

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
