import { NextResponse, type NextRequest } from "next/server";
import type { AdminRule } from "@/lib/api/admin";
import { sendRequestSchema, type SendCodeResponse } from "@/lib/api/otp";
import { findApplicableRules } from "@/lib/defenses/operator-rules";
import { captchaFailed, turnOnAttackMode, verifyCaptcha } from "@/lib/defenses/captcha";
import { deriveIpKeys } from "@/lib/client-ip/strategies";
import { screenDestination } from "@/lib/defenses/destination-policy";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { isKnownDevice, KNOWN_DEVICE_COOKIE_NAME } from "@/lib/sign-in/known-device";
import { decideSendBudgets, numberPrefix, refuseSpentSender } from "@/lib/defenses/limits";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import {
  newIssuanceClaim,
  PENDING_COOKIE_NAME,
  pendingCookieOptions,
} from "@/lib/sign-in/pending-verification";
import { parsePhone } from "@/lib/phone";
import { noteClientIp, refuse, startRequestContext } from "@/lib/http/public-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireClientIp, resolveRequestClientIp, senderRefused } from "@/lib/client-ip/request";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { recordTraffic } from "@/lib/events";
import { sendVerificationCode } from "@/lib/sign-in/verification";

/**
 * Sends a sign-in code by SMS, after every check that costs us nothing, cheapest first: 8x8 (and
 * its bill) is reached only when all pass. Sign-up and sign-in look exactly the same from outside.
 */
export async function POST(request: NextRequest) {
  const context = startRequestContext(request, "POST /api/otp/send");
  // Resolved first (no I/O) so that every refusal's event carries the address.
  const clientIp = resolveRequestClientIp(request);
  if (clientIp) noteClientIp(context, clientIp);
  try {
    const env = getEnv();

    // 1. Request hygiene: same origin, JSON, size, shape; the number normalised to E.164.
    requireSameOrigin(request);
    const input = await readJsonBody(request, sendRequestSchema, { phone: "invalid_phone" });
    const parsed = parsePhone(input.phone, input.country);
    if (!parsed.ok) throw new Error("sendRequestSchema accepted a number parsePhone rejects");
    const { e164, country = null } = parsed.phone;
    Object.assign(context, { phone: e164, country, prefix: numberPrefix(e164) });

    // 2. The client address; without one no per-IP limit can hold, so nothing is sent.
    requireClientIp(clientIp);

    // 3. Invisible bot check: a field people never see.
    if (input.website) throw captchaFailed("captcha.honeypot");

    // 4. Destination screening (pure CPU).
    const screening = screenDestination(e164, env.destinations);
    if (!screening.ok) {
      throw new AppError("destination_blocked", screening.message, {
        fields: { phone: screening.message },
        rule: screening.rule,
      });
    }

    // 5. CAPTCHA: proof of work, checked in CPU (or the configured provider). A bot without a
    //    valid solution is refused before any store access.
    const captchaClaim = await verifyCaptcha(input.captcha, request, clientIp);

    // 6. A sender this instance saw refused for its own address budget is refused again with no
    //    store access. Then one store round trip: the CAPTCHA's single-use claim, and the operator
    //    rules (blocks refuse at once; a safe-listed number skips its automatic limits).
    const ipKeys = deriveIpKeys(clientIp, env.clientIp.ipv6Prefix)!;
    refuseSpentSender(ipKeys);
    const rules = await findApplicableRules(
      { clientIp, phone: e164, prefix: numberPrefix(e164), country },
      captchaClaim,
    );
    if (!rules.claimed) throw captchaFailed("captcha.replayed");
    if (rules.block) throw blockedBy(rules.block);

    // 7. Limits and the number's growing resend delay, decided together: a refusal spends none
    //    of the number's budgets; an admitted send claims the number's code for this browser.
    const { pendingId, claim } = newIssuanceClaim(e164);
    const { abnormalRate } = await decideSendBudgets(
      {
        ipKeys,
        safeListed: rules.safe,
        phone: e164,
        prefix: numberPrefix(e164),
        country,
        knownDevice: isKnownDevice(request.cookies.get(KNOWN_DEVICE_COOKIE_NAME)?.value, e164),
      },
      claim,
    );
    // Many sends a minute that solved the proof of work and passed every limit means bots that
    // pay for it (rotating addresses and numbers): raise its price.
    if (abnormalRate) await turnOnAttackMode();

    // 8. 8x8, once.
    const { pending, cookieValue, maxAgeSeconds } = await sendVerificationCode(pendingId, e164, clientIp);
    // Not the number's growing delay: that is shared with other browsers and would tell this one
    // whether the number got codes today. A resend too early gets the fixed Retry-After.
    const resendAfter = new Date(
      Math.max(new Date(pending.resendAfter).getTime(), Date.now() + env.otp.resendIntervalSeconds * 1000),
    );

    const response = NextResponse.json<SendCodeResponse>(
      { status: "sent", expiresAt: pending.expiresAt, resendAfter: resendAfter.toISOString() },
      { status: 202, headers: { "Cache-Control": "no-store", "X-Request-Id": context.requestId } },
    );
    response.cookies.set(PENDING_COOKIE_NAME, cookieValue, pendingCookieOptions(request, maxAgeSeconds));
    recordTraffic("sent");
    return response;
  } catch (error) {
    return refuse(error, context);
  }
}

/** An operator's block: addresses are simply not accepted; numbers, prefixes and countries are named. */
function blockedBy(rule: AdminRule): AppError {
  const rejectsSender = rule.kind === "block-ip" || rule.kind === "block-subnet";
  return rejectsSender
    ? senderRefused(`block.${rule.kind.slice("block-".length)}`)
    : new AppError("destination_blocked", "We can't send codes to this number right now.", {
        fields: { phone: "We can't send codes to this number right now." },
        rule: `block.${rule.kind.slice("block-".length)}`,
      });
}

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
