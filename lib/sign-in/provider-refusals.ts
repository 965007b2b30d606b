import "server-only";
import { EightByEightError } from "@/lib/eight-by-eight";
import { getEnv } from "@/lib/env";
import { refusal } from "@/lib/http/errors";

/**
 * What 8x8's failures mean to a user. Operator problems (a wrong key, an account 8x8 refuses) look
 * like an outage to users and are logged loudly for the operator; the vendor's `errorId` stays in
 * the log.
 */
export function refusalFor8x8Error(error: unknown, step: "send" | "verify"): unknown {
  if (!(error instanceof EightByEightError)) return error;
  switch (error.kind) {
    case "resend_too_soon":
    case "rate_limited":
      return refusal(`provider.${error.kind}`, {
        retryAfterSeconds: error.details.retryAfterSeconds ?? getEnv().otp.resendIntervalSeconds,
      });
    case "invalid_number":
      if (step === "send") return refusal("provider.invalid_number");
      console.error(`8x8 ${step} failed`, { kind: error.kind, ...error.details, message: error.message });
      return refusal("provider.invalid_number_on_check");
  }
  console.error(`8x8 ${step} failed`, { kind: error.kind, ...error.details, message: error.message });
  return refusal(`provider.${error.kind}`);
}
