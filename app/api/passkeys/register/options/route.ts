import { NextResponse } from "next/server";
import { registrationOptionsRequestSchema } from "@/lib/api/passkeys";
import { decidePasskeyBudgets } from "@/lib/defenses/limits";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { publicRoute, requireClientIp } from "@/lib/http/public-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { startRegistration } from "@/lib/passkeys/ceremonies";
import { requireSessionForPasskeys } from "@/lib/passkeys/current-session";

/** The prompt to add a passkey to the signed-in account (with an admin enrollment link's token, if any). */
export const POST = publicRoute("POST /api/passkeys/register/options", async (request, context) => {
  requireSameOrigin(request);
  const { enrollment } = await readJsonBody(request, registrationOptionsRequestSchema);
  const session = await requireSessionForPasskeys();
  const { ipKeys } = requireClientIp(context);
  await decidePasskeyBudgets(ipKeys);
  const { options, cookie } = await startRegistration(request, session, enrollment);
  const response = NextResponse.json(options);
  response.cookies.set(cookie.name, cookie.value, cookie.options);
  return response;
});

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
