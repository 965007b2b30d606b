import { NextResponse } from "next/server";
import { AppError, errorResponse } from "@/lib/errors";
import { PENDING_COOKIE_NAME, pendingCookieOptions } from "@/lib/pending-verification";
import { parsePhone, sendCodeSchema } from "@/lib/phone";
import { readJsonBody } from "@/lib/request-body";
import { resolveRequestClientIp } from "@/lib/request-ip";
import { sendVerificationCode } from "@/lib/verification";

/** Sends a sign-in code by SMS. Sign-up and sign-in look exactly the same from outside. */
export async function POST(request: Request) {
  try {
    const input = await readJsonBody(request, sendCodeSchema, { phone: "invalid_phone" });
    const parsed = parsePhone(input.phone, input.country);
    if (!parsed.ok) throw new Error("sendCodeSchema accepted a number parsePhone rejects");

    const clientIp = resolveRequestClientIp(request);
    if (!clientIp) {
      // Fail closed: without an address no per-IP limit can hold, so nothing is sent.
      console.warn("Refused a send: no trustworthy client address", { route: "POST /api/otp/send" });
      throw new AppError("forbidden", "We can't accept this request. Please try again from another network.");
    }

    const { pending, cookieValue, maxAgeSeconds } = await sendVerificationCode(parsed.phone.e164, clientIp);

    const response = NextResponse.json(
      { status: "sent", expiresAt: pending.expiresAt, resendAfter: pending.resendAfter },
      { status: 202, headers: { "Cache-Control": "no-store" } },
    );
    response.cookies.set(PENDING_COOKIE_NAME, cookieValue, pendingCookieOptions(request, maxAgeSeconds));
    return response;
  } catch (error) {
    return errorResponse(error, { route: "POST /api/otp/send" });
  }
}
