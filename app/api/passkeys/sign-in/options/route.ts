import { NextResponse } from "next/server";
import { decidePasskeyBudgets } from "@/lib/defenses/limits";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { publicRoute, requireClientIp } from "@/lib/http/public-route";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { startSignIn } from "@/lib/passkeys/ceremonies";

/** A passkey sign-in prompt (WebAuthn request options) for this browser, with its single-use challenge. */
export const POST = publicRoute("POST /api/passkeys/sign-in/options", async (request, context) => {
  requireSameOrigin(request);
  const { ipKeys } = requireClientIp(context);
  await decidePasskeyBudgets(ipKeys);
  const { options, cookie } = await startSignIn(request);
  const response = NextResponse.json(options);
  response.cookies.set(cookie.name, cookie.value, cookie.options);
  return response;
});

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
