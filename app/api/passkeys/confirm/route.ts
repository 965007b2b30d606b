import { NextResponse } from "next/server";
import { authenticationRequestSchema, type PasskeyConfirmedResponse } from "@/lib/api/passkeys";
import { decidePasskeyBudgets } from "@/lib/defenses/limits";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { publicRoute, requireClientIp } from "@/lib/http/public-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { finishConfirmation } from "@/lib/passkeys/ceremonies";
import { CHALLENGE_COOKIE_NAME } from "@/lib/passkeys/challenges";
import { requireSessionForPasskeys } from "@/lib/passkeys/current-session";

/** Confirms the current session with a passkey: its row records the proof (markPasskeyVerified). */
export const POST = publicRoute("POST /api/passkeys/confirm", async (request, context) => {
  requireSameOrigin(request);
  const body = await readJsonBody(request, authenticationRequestSchema);
  const session = await requireSessionForPasskeys();
  const { ipKeys } = requireClientIp(context);
  await decidePasskeyBudgets(ipKeys);
  await finishConfirmation(request, session, body);
  const response = NextResponse.json<PasskeyConfirmedResponse>({ status: "confirmed" });
  response.cookies.delete(CHALLENGE_COOKIE_NAME);
  return response;
});

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
