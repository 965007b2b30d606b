import "server-only";
import { EightByEightError, getOtpProvider, type VerificationSession } from "@/lib/eight-by-eight";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { isKnownDevice } from "./known-device";
import { clearNumberBudgets, decideCheckBudgets, numberPrefix } from "@/lib/defenses/limits";
import {
  completeIssuance,
  discardPendingVerification,
  getPendingVerification,
  issuanceOwnership,
  savePendingVerification,
  type PendingVerification,
} from "./pending-verification";
import { issueSignInGrant } from "./grants";
import { recordVerifiedSignIn } from "./users";

/**
 * The two steps of phone sign-in, in the app's terms. Route handlers call these after their
 * guards; everything 8x8-specific stays behind `lib/eight-by-eight`.
 */

export type SentCode = { pending: PendingVerification; cookieValue: string; maxAgeSeconds: number };

/**
 * Asks 8x8 to send a new code to `phone` (E.164) for the pending verification `pendingId`, whose
 * ownership of the number's code the send decision has already claimed (lib/sign-in/pending-verification.ts). Sign-up and sign-in take exactly this path, so the response
 * cannot tell whether the number has an account.
 */
export async function sendVerificationCode(
  pendingId: string,
  phone: string,
  clientIp: string | undefined,
): Promise<SentCode> {
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
      // A new code for every send: an earlier browser's code (and its VERIFIED) never carries over.
      resetSession: true,
    });
  } catch (error) {
    throw toAppError(error, "send");
  }
  // A session that is not waiting for its new code would let a stale VERIFIED through: refuse it.
  if (session.status !== "waiting" || session.destination !== phone) {
    console.error("8x8 send returned an unexpected session", { status: session.status });
    throw unavailable("provider.unexpected_session");
  }
  return savePendingVerification(pendingId, phone, session);
}

export type CheckedCode = { isNewUser: boolean; grant: string; phone: string };

/**
 * Checks `code` against the browser's pending verification. The browser must own the number's
 * current code, and the check's budgets — per address, per pending verification, per number
 * across resends, the growing delay — are decided and charged together before 8x8 is called (a
 * refused check spends nothing). A VERIFIED answer signs in only the check that completes the
 * issuance (once), clears the number's counts, and returns a single-use sign-in grant for Auth.js.
 */
export async function checkVerificationCode(
  cookieValue: string | undefined,
  code: string,
  /** The client's rate-limit key (address or IPv6 /64). */
  ipKey: string,
  /** The browser's known-device cookie: a returning browser may draw on the number's reserve. */
  deviceCookie: string | undefined,
  /** Filled with the pending number, for the throttle event if the check is refused. */
  context: { phone: string | null; prefix: string | null },
): Promise<CheckedCode> {
  const pending = await getPendingVerification(cookieValue);
  if (!pending) throw noPendingVerification();
  context.phone = pending.phone;
  context.prefix = numberPrefix(pending.phone);

  const ownership = await decideCheckBudgets({
    ipKey,
    pendingId: pending.id,
    phone: pending.phone,
    knownDevice: isKnownDevice(deviceCookie, pending.phone),
    ownership: issuanceOwnership(pending),
  });
  if (ownership === "superseded") throw codeSuperseded();
  if (ownership === "ended") throw noPendingVerification();

  const provider = await getOtpProvider();
  let session: VerificationSession;
  try {
    session = await provider.checkCode(pending.sessionId, code);
  } catch (error) {
    if (error instanceof EightByEightError && error.kind === "not_found") {
      await discardPendingVerification(pending);
      throw noPendingVerification();
    }
    throw toAppError(error, "verify");
  }

  switch (session.status) {
    case "verified": {
      // Concurrent correct codes all see VERIFIED at 8x8, and so does any later check of the same
      // 8x8 session: only the check that completes this browser's issuance goes on.
      if (session.destination !== pending.phone || !(await completeIssuance(pending))) {
        throw noPendingVerification();
      }
      const [{ user, isNewUser }] = await Promise.all([
        recordVerifiedSignIn(pending.phone),
        clearNumberBudgets(pending.phone),
      ]);
      const grant = await issueSignInGrant({ userId: user.id, phone: user.phone });
      return { isNewUser, grant, phone: user.phone };
    }
    case "failed":
      await discardPendingVerification(pending);
      throw new AppError("rate_limited", "Too many wrong codes. Request a new code to try again.", {
        retryAfterSeconds: Math.max(1, (new Date(pending.resendAfter).getTime() - Date.now()) / 1000),
        rule: "code.attempts_exhausted",
      });
    case "waiting":
    case "expired":
      // One answer for both, so a guesser learns nothing about the session's state.
      throw new AppError("code_invalid", "That code is wrong or has expired.", {
        fields: { code: "That code is wrong or has expired." },
        rule: "code.wrong_or_expired",
      });
  }
}

/** The browser's code was replaced by a newer one sent to the same number (perhaps by someone else). */
function codeSuperseded(): AppError {
  return new AppError(
    "code_superseded",
    "A newer code was requested for this number, so this one no longer works. Request a new code.",
    { rule: "code.superseded" },
  );
}

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
  return unavailable(`provider.${error.kind}`);
}

function unavailable(rule: string): AppError {
  return new AppError(
    "unavailable",
    "We can't send or check codes right now. Please try again in a minute.",
    {
      rule,
    },
  );
}
