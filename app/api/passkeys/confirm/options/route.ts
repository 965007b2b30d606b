import { NextResponse } from "next/server";
import { decidePasskeyBudgets } from "@/lib/defenses/limits";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { publicRoute, requireClientIp } from "@/lib/http/public-route";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { startConfirmation } from "@/lib/passkeys/ceremonies";
import { requireSessionForPasskeys } from "@/lib/passkeys/current-session";

/** The prompt to confirm the current session with one of the account's passkeys (the admin step-up). */
export const POST = publicRoute("POST /api/passkeys/confirm/options", async (request, context) => {
  requireSameOrigin(request);
  const session = await requireSessionForPasskeys();
  const { ipKeys } = requireClientIp(context);
  await decidePasskeyBudgets(ipKeys);
  const { options, cookie } = await startConfirmation(request, session);
  const response = NextResponse.json(options);
  response.cookies.set(cookie.name, cookie.value, cookie.options);
  return response;
});

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
