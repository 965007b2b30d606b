import "server-only";
import { getOtpProvider, type VerificationSession } from "@/lib/eight-by-eight";
import { getEnv } from "@/lib/env";
import { refusal } from "@/lib/http/errors";
import { sealPendingVerification, type PendingVerification } from "./pending-verification";
import { refusalFor8x8Error } from "./provider-refusals";

export type SentCode = {
  pending: PendingVerification;
  cookieValue: string;
  maxAgeSeconds: number;
  /**
   * When this browser may ask again (ISO 8601): 8x8's interval, and never sooner than ours. Not
   * the number's growing delay: that is shared with other browsers and would tell this one
   * whether the number got codes today; a resend too early gets the fixed Retry-After.
   */
  resendAfter: string;
};

/**
 * Asks 8x8 to send a new code to `phone` (E.164) for the pending verification `pendingId`, whose
 * ownership of the number's code the send decision has already claimed
 * (lib/sign-in/pending-verification.ts). Sign-up and sign-in take exactly this path, so the
 * response cannot tell whether the number has an account.
 */
export async function sendCode(pendingId: string, phone: string, clientIp: string): Promise<SentCode> {
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
    throw refusalFor8x8Error(error, "send");
  }
  // A session that is not waiting for its new code would let a stale VERIFIED through: refuse it.
  if (session.status !== "waiting" || session.destination !== phone) {
    console.error("8x8 send returned an unexpected session", { status: session.status });
    throw refusal("provider.unexpected_session");
  }
  const saved = await sealPendingVerification(pendingId, phone, session);
  const resendAfter = Math.max(session.resendAfter.getTime(), Date.now() + otp.resendIntervalSeconds * 1000);
  return { ...saved, resendAfter: new Date(resendAfter).toISOString() };
}
