import { NextResponse } from "next/server";
import { verifyRequestSchemaFor, type VerifyCodeResponse } from "@/lib/api/otp";
import { getEnv } from "@/lib/env";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { publicRoute } from "@/lib/http/public-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { completeSignIn } from "@/lib/sign-in/steps";

/** Checks the code for this browser's pending verification and, when right, signs it in. */
export const POST = publicRoute("POST /api/otp/verify", async (request, context) => {
  requireSameOrigin(request);
  // A malformed code is refused here and never spends an attempt.
  const { code } = await readJsonBody(
    request,
    verifyRequestSchemaFor(getEnv().otp.codeLength, context.locale),
  );
  const { isNewUser, cookies } = await completeSignIn(request, context, code);

  const response = NextResponse.json<VerifyCodeResponse>({ status: "verified", isNewUser });
  for (const name of cookies.delete) response.cookies.delete(name);
  for (const cookie of cookies.set) response.cookies.set(cookie.name, cookie.value, cookie.options);
  return response;
});

export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST");
