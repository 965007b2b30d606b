import { NextResponse } from "next/server";
import { deriveIpKeys } from "@/lib/client-ip";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { PENDING_COOKIE_NAME, pendingCookieOptions } from "@/lib/pending-verification";
import { parsePhone, sendCodeSchema } from "@/lib/phone";
import { noteClientIp, refuse, startRequestContext } from "@/lib/refusals";
import { readJsonBody } from "@/lib/request-body";
import { resolveRequestClientIp } from "@/lib/request-ip";
import { enforceSendLimits, numberPrefix } from "@/lib/send-limits";
import { sendVerificationCode } from "@/lib/verification";

/** Sends a sign-in code by SMS. Sign-up and sign-in look exactly the same from outside. */
export async function POST(request: Request) {
  const context = startRequestContext(request, "POST /api/otp/send");
  // Resolved first (no I/O) so that every refusal's event carries the address.
  const clientIp = resolveRequestClientIp(request);
  if (clientIp) noteClientIp(context, clientIp);
  try {
    // 1. Request hygiene and the number, normalised to E.164.
    const input = await readJsonBody(request, sendCodeSchema, { phone: "invalid_phone" });
    const parsed = parsePhone(input.phone, input.country);
    if (!parsed.ok) throw new Error("sendCodeSchema accepted a number parsePhone rejects");
    const { e164, country = null } = parsed.phone;
    Object.assign(context, { phone: e164, country, prefix: numberPrefix(e164) });

    // 2. The client address; without one no per-IP limit can hold, so nothing is sent.
    const clientIp = resolveRequestClientIp(request);
    if (!clientIp) {
      throw new AppError(
        "forbidden",
        "We can't accept this request. Please try again from another network.",
        {
          rule: "client_ip",
        },
      );
    }
    noteClientIp(context, clientIp);

    // 3. Limits, each its own bucket.
    await enforceSendLimits({
      ipKeys: deriveIpKeys(clientIp, getEnv().clientIp.ipv6Prefix)!,
      phone: e164,
      prefix: numberPrefix(e164),
      country,
    });

    // 4. 8x8.
    const { pending, cookieValue, maxAgeSeconds } = await sendVerificationCode(e164, clientIp);

    const response = NextResponse.json(
      { status: "sent", expiresAt: pending.expiresAt, resendAfter: pending.resendAfter },
      { status: 202, headers: { "Cache-Control": "no-store", "X-Request-Id": context.requestId } },
    );
    response.cookies.set(PENDING_COOKIE_NAME, cookieValue, pendingCookieOptions(request, maxAgeSeconds));
    return response;
  } catch (error) {
    return refuse(error, context);
  }
}
