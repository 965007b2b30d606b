import "server-only";
import { decideCheckBudgets, settledByVerifiedCode } from "@/lib/defenses/limits";
import { EightByEightError, getOtpProvider, type VerificationSession } from "@/lib/eight-by-eight";
import { refusal } from "@/lib/http/errors";
import { noteDestination, type RequestContext } from "@/lib/http/public-route";
import { getBackend } from "@/lib/store";
import { isKnownDevice } from "./known-device";
import {
  discardPendingVerification,
  getPendingVerification,
  issuanceOwnership,
} from "./pending-verification";
import { refusalFor8x8Error } from "./provider-refusals";
import { recordVerifiedSignIn, type User } from "@/lib/accounts/users";
import { getEnv } from "@/lib/env";

export type CheckedCode = {
  isNewUser: boolean;
  user: User;
  /** The pending verification that was completed (its send's id in the traffic records). */
  pendingId: string;
  /**
   * Completes the issuance (once, whichever concurrent check comes first) and clears the number's
   * counts; throws `code.no_pending_verification` for every other check. Called once the session
   * is written, so that nothing is used up if the database fails before.
   */
  complete(): Promise<void>;
};

/**
 * Checks `code` against the browser's pending verification (its sealed cookie), in two store
 * round trips when right (a third records the traffic, batched after the response):
 * 1. the check's budgets — per address, per pending verification, per number across resends, the
 *    growing delay — decided and charged together with the browser's ownership of the number's
 *    current code, before 8x8 is called (a refused check spends nothing);
 * 2. after 8x8 answers VERIFIED and the account is recorded in the database (and the route has
 *    written the session, start-session.ts), one settling step, `complete`: only the check that
 *    still owns the issuance completes it (once), clearing the number's counts.
 */
export async function checkCode(
  cookies: { pending: string | undefined; device: string | undefined },
  code: string,
  context: RequestContext,
  /** The client's address key (address, or IPv6 network). */
  ipKey: string,
): Promise<CheckedCode> {
  const pending = await getPendingVerification(cookies.pending);
  if (!pending) throw refusal("code.no_pending_verification");
  const destination = noteDestination(context, pending.phone);

  const completion = { ownership: issuanceOwnership(pending) };
  const ownership = await decideCheckBudgets({
    ipKey,
    pendingId: pending.id,
    phone: pending.phone,
    knownDevice: await isKnownDevice(cookies.device, pending.phone),
    ownership: completion.ownership,
  });
  if (ownership === "superseded") throw refusal("code.superseded");
  if (ownership === "ended") throw refusal("code.no_pending_verification");

  const provider = await getOtpProvider();
  let session: VerificationSession;
  try {
    session = await provider.checkCode(pending.sessionId, code);
  } catch (error) {
    if (error instanceof EightByEightError && error.kind === "not_found") {
      await discardPendingVerification(pending);
      throw refusal("code.no_pending_verification");
    }
    throw refusalFor8x8Error(error, "verify");
  }

  switch (session.status) {
    case "verified": {
      // Concurrent correct codes all see VERIFIED at 8x8, and so does any later check of the same
      // 8x8 session: only the check that completes this browser's issuance goes on (`complete`).
      if (session.destination !== pending.phone) throw refusal("code.no_pending_verification");
      // The account first: if the database is down (503), the issuance stays open and the same
      // code works again once it is back — 8x8 answers VERIFIED to every later check.
      const { user, isNewUser } = await recordVerifiedSignIn(
        pending.phone,
        getEnv().adminPhoneNumbers.includes(pending.phone),
      );
      return {
        isNewUser,
        user,
        pendingId: pending.id,
        complete: async () => {
          const completed = await getBackend().budgets.settle({
            ...completion,
            ...settledByVerifiedCode(destination),
          });
          if (!completed) throw refusal("code.no_pending_verification");
        },
      };
    }
    case "failed":
      await discardPendingVerification(pending);
      throw refusal("code.attempts_exhausted", {
        retryAfterSeconds: Math.max(1, (new Date(pending.resendAfter).getTime() - Date.now()) / 1000),
      });
    case "waiting":
    case "expired":
      // One answer for both, so a guesser learns nothing about the session's state.
      throw refusal("code.wrong_or_expired");
  }
}
