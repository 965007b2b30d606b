import { NextResponse } from "next/server";
import { createAltchaChallenge } from "@/lib/defenses/captcha";
import { deriveIpKeys } from "@/lib/client-ip/strategies";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { decideChallengeBudgets } from "@/lib/defenses/limits";
import { noteClientIp, refuse, startRequestContext } from "@/lib/http/public-route";
import { requireClientIp, resolveRequestClientIp } from "@/lib/client-ip/request";

export const dynamic = "force-dynamic";

/** A fresh ALTCHA challenge for the sign-in form's widget; never cached. */
export async function GET(request: Request) {
  const context = startRequestContext(request, "GET /api/captcha/challenge");
  try {
    const env = getEnv();
    if (env.captcha.provider !== "altcha") {
      throw new AppError("not_found", `This deployment uses ${env.captcha.provider}, not ALTCHA.`);
    }
    const clientIp = resolveRequestClientIp(request);
    requireClientIp(clientIp);
    noteClientIp(context, clientIp);
    // Each challenge buys one key derivation when it is solved: limited per address, network and in total.
    await decideChallengeBudgets(deriveIpKeys(clientIp, env.clientIp.ipv6Prefix)!);
    return NextResponse.json(await createAltchaChallenge(), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return refuse(error, context);
  }
}
