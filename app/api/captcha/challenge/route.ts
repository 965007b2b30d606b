import { NextResponse } from "next/server";
import { createAltchaChallenge } from "@/lib/defenses/captcha";
import { decideChallengeBudgets } from "@/lib/defenses/limits";
import { getEnv } from "@/lib/env";
import { refusal } from "@/lib/http/errors";
import { publicRoute, requireClientIp } from "@/lib/http/public-route";

export const dynamic = "force-dynamic";

/** A fresh ALTCHA challenge for the sign-in form's widget; never cached. */
export const GET = publicRoute("GET /api/captcha/challenge", async (_request, context) => {
  if (getEnv().captcha.provider !== "altcha") throw refusal("captcha.not_altcha");
  const { ipKeys } = requireClientIp(context);
  // Each challenge buys one key derivation when it is solved: limited per address, network and in total.
  await decideChallengeBudgets(ipKeys);
  return NextResponse.json(await createAltchaChallenge());
});
