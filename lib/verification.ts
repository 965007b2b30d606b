import "server-only";
import { EightByEightError, getOtpProvider, type VerificationSession } from "./eight-by-eight";
import { getEnv } from "./env";
import { AppError } from "./errors";
import {
  consumePendingVerification,
  getPendingVerification,
  savePendingVerification,
  type PendingVerification,
} from "./pending-verification";
import { issueSignInGrant } from "./sign-in-grants";
import { recordVerifiedSignIn } from "./users";
import { enforceLimit, numberPrefix, resetLimit } from "./limits";
import { clearResendCooldown } from "./resend-cooldown";
import { clearWrongCodes, enforceFailureDelay, noteWrongCode } from "./verify-failures";

/**
 * The two steps of phone sign-in, in the app's terms. Route handlers call these after their
 * guards; everything 8x8-specific stays behind `lib/eight-by-eight`.
 */

export type SentCode = { pending: PendingVerification; cookieValue: string; maxAgeSeconds: number };

/**
 * Asks 8x8 to send a code to `phone` (E.164). Sign-up and sign-in take exactly this path, so the
 * response cannot tell whether the number has an account.
 */
export async function sendVerificationCode(phone: string, clientIp: string | undefined): Promise<SentCode> {
  const { otp } = getEnv();
  const provider = await getOtpProvider();
  let session: VerificationSession;
  try {
    session = await provider.startVerification({
      phone,
      clientIp,
      brand: otp.brand,
      codeLength: otp.codeLength,
      codeValiditySeconds: otp.codeValiditySeconds,
      resendIntervalSeconds: otp.resendIntervalSeconds,
      resetSession: false,
    });
  } catch (error) {
    throw toAppError(error, "send");
  }
  return savePendingVerification(phone, session);
}

export type CheckedCode = { isNewUser: boolean; grant: string; phone: string };

/**
 * Checks `code` against the browser's pending verification. Attempt limits are counted before 8x8
 * is called — per client address, per pending verification, per number across resends — and a
 * growing delay follows repeated failures. On success the pending verification is consumed (so
 * one verified 8x8 session yields at most one app session), the number's failure counts are
 * cleared, and a single-use sign-in grant is returned for Auth.js.
 */
export async function checkVerificationCode(
  cookieValue: string | undefined,
  code: string,
  /** The client's rate-limit key (address or IPv6 /64), when known. */
  ipKey: string | null,
  /** Filled with the pending number, for the throttle event if the check is refused. */
  context: { phone: string | null; prefix: string | null },
): Promise<CheckedCode> {
  if (ipKey) await enforceLimit("verify.ip", ipKey, TOO_MANY_CHECKS);
  const pending = await getPendingVerification(cookieValue);
  if (!pending) throw noPendingVerification();
  context.phone = pending.phone;
  context.prefix = numberPrefix(pending.phone);

  await enforceLimit("verify.pending", pending.id, TOO_MANY_CHECKS);
  await enforceLimit("verify.phone", pending.phone, TOO_MANY_CHECKS);
  await enforceLimit("verify.phone.total", pending.phone, TOO_MANY_CHECKS);
  await enforceFailureDelay(pending.phone);

  const provider = await getOtpProvider();
  let session: VerificationSession;
  try {
    session = await provider.checkCode(pending.sessionId, code);
  } catch (error) {
    if (error instanceof EightByEightError && error.kind === "not_found") {
      await consumePendingVerification(pending.id);
      throw noPendingVerification();
    }
    throw toAppError(error, "verify");
  }

  switch (session.status) {
    case "verified": {
      // Concurrent correct codes all see VERIFIED at 8x8; only the one that consumes the pending
      // verification goes on. The number comes from our record, checked against 8x8's.
      const consumed = await consumePendingVerification(pending.id);
      if (!consumed || consumed.phone !== session.destination) throw noPendingVerification();
      const { user, isNewUser } = await recordVerifiedSignIn(consumed.phone);
      await Promise.all([
        resetLimit("verify.phone", consumed.phone),
        resetLimit("verify.phone.total", consumed.phone),
        clearWrongCodes(consumed.phone),
        clearResendCooldown(consumed.phone),
      ]);
      const grant = await issueSignInGrant({ userId: user.id, phone: user.phone });
      return { isNewUser, grant, phone: user.phone };
    }
    case "failed":
      await Promise.all([consumePendingVerification(pending.id), noteWrongCode(pending.phone)]);
      throw new AppError("rate_limited", "Too many wrong codes. Request a new code to try again.", {
        retryAfterSeconds: Math.max(1, (new Date(pending.resendAfter).getTime() - Date.now()) / 1000),
        rule: "code.attempts_exhausted",
      });
    case "waiting":
    case "expired":
      await noteWrongCode(pending.phone);
      // One answer for both, so a guesser learns nothing about the session's state.
      throw new AppError("code_invalid", "That code is wrong or has expired.", {
        fields: { code: "That code is wrong or has expired." },
        rule: "code.wrong_or_expired",
      });
  }
}

const TOO_MANY_CHECKS = "Too many code checks. Please wait a while and try again.";

function noPendingVerification(): AppError {
  return new AppError(
    "no_pending_verification",
    "There is no code waiting to be checked. Request a new code.",
    {
      rule: "code.no_pending_verification",
    },
  );
}

/** Maps 8x8's failures to what we tell the user. Operator problems look like an outage to users. */
function toAppError(error: unknown, step: "send" | "verify"): unknown {
  if (!(error instanceof EightByEightError)) return error;
  switch (error.kind) {
    case "resend_too_soon":
    case "rate_limited":
      return new AppError("rate_limited", "Too many requests. Wait a moment and try again.", {
        retryAfterSeconds: error.details.retryAfterSeconds ?? getEnv().otp.resendIntervalSeconds,
        rule: `provider.${error.kind}`,
      });
    case "invalid_number":
      if (step === "send") {
        return new AppError("invalid_phone", "We can't send a code to that number.", {
          fields: { phone: "We can't send a code to that number." },
          rule: "provider.invalid_number",
        });
      }
      break;
  }
  console.error(`8x8 ${step} failed`, { kind: error.kind, ...error.details, message: error.message });
  return new AppError(
    "unavailable",
    "We can't send or check codes right now. Please try again in a minute.",
    {
      rule: `provider.${error.kind}`,
    },
  );
}
