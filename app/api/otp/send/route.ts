import { NextResponse } from "next/server";
import { sendRequestShapeFor, type SendCodeResponse } from "@/lib/api/otp";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { publicRoute } from "@/lib/http/public-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { requestCode } from "@/lib/sign-in/steps";

/**
 * Sends a sign-in code by SMS when the send policy (lib/defenses/send-policy.ts) admits it. Sign-up
 * and sign-in look exactly the same from outside. The sign-in page's form takes the same step
 * (lib/sign-in/steps.ts) through a server action.
 */
export const POST = publicRoute("POST /api/otp/send", async (request, context) => {
  requireSameOrigin(request);
  // The send policy reads the body, once the sender is known to be served.
  const { sent, cookie } = await requestCode(request, context, () =>
    readJsonBody(request, sendRequestShapeFor(context.locale)),
  );

  const response = NextResponse.json<SendCodeResponse>(sent, { status: 202 });
  response.cookies.set(cookie.name, cookie.value, cookie.options);
  return response;
});

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
