import { NextResponse } from "next/server";
import { smsPriceMills } from "@/lib/defenses/limits";
import { decideSend } from "@/lib/defenses/send-policy";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { noteDestination, publicRoute } from "@/lib/http/public-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { recordTraffic } from "@/lib/events";
import { sendRequestSchema, type SendCodeResponse } from "@/lib/api/otp";
import { pendingCookie } from "@/lib/sign-in/pending-verification";
import { sendCode } from "@/lib/sign-in/send-code";

/**
 * Sends a sign-in code by SMS when the send policy (lib/defenses/send-policy.ts) admits it. Sign-up
 * and sign-in look exactly the same from outside.
 */
export const POST = publicRoute("POST /api/otp/send", async (request, context) => {
  requireSameOrigin(request);
  const input = await readJsonBody(request, sendRequestSchema);
  const destination = noteDestination(context, input.e164);
  const { pendingId, clientIp } = await decideSend(request, context, input, destination);
  const sent = await sendCode(pendingId, destination.phone, clientIp);

  const response = NextResponse.json<SendCodeResponse>(
    { status: "sent", expiresAt: sent.pending.expiresAt, resendAfter: sent.resendAfter },
    { status: 202 },
  );
  const cookie = pendingCookie(request, sent);
  response.cookies.set(cookie.name, cookie.value, cookie.options);
  recordTraffic("sent", {
    country: destination.country,
    range: destination.range,
    prefix: destination.prefix,
    subnet: context.ipKeys?.aggregate ?? null,
    pendingId,
    priceMills: smsPriceMills(destination.country),
  });
  return response;
});

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
