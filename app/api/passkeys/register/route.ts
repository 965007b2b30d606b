import { NextResponse } from "next/server";
import { registrationRequestSchema, type RegisteredPasskeyResponse } from "@/lib/api/passkeys";
import { decidePasskeyBudgets } from "@/lib/defenses/limits";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { publicRoute, requireClientIp } from "@/lib/http/public-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { finishRegistration } from "@/lib/passkeys/ceremonies";
import { CHALLENGE_COOKIE_NAME } from "@/lib/passkeys/challenges";
import { requireSessionForPasskeys } from "@/lib/passkeys/current-session";

/** Verifies and stores the new passkey (201). */
export const POST = publicRoute("POST /api/passkeys/register", async (request, context) => {
  requireSameOrigin(request);
  const body = await readJsonBody(request, registrationRequestSchema);
  const session = await requireSessionForPasskeys();
  const { ipKeys } = requireClientIp(context);
  await decidePasskeyBudgets(ipKeys);
  const passkey = await finishRegistration(request, session, body);
  const response = NextResponse.json<RegisteredPasskeyResponse>(
    { status: "registered", passkey },
    { status: 201 },
  );
  response.cookies.delete(CHALLENGE_COOKIE_NAME);
  return response;
});

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
