import "server-only";
import { randomBytes } from "node:crypto";
import type { VerificationSession } from "@/lib/eight-by-eight";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { strictCookieOptions } from "@/lib/http/cookies";
import { openSealedValue, sealValue } from "@/lib/http/signing";
import { getStore, type KeyValueStore } from "@/lib/store";

/**
 * A pending verification ties one browser to one code issuance: one code that 8x8 sent to one
 * phone number. The browser holds it in a sealed (encrypted and authenticated), httpOnly,
 * short-lived cookie: it cannot read the number or the 8x8 session id in it, nor change them, and
 * the server keeps nothing per pending verification but the issuance's ownership below — so
 * neither a send nor a check spends a store round trip on it.
 *
 * 8x8 keeps one session per destination and answers VERIFIED to every later check of a verified
 * session, so the 8x8 session cannot tell browsers apart. Ownership does: each send asks 8x8 for a
 * new code (`resetSession: true`) and records, for the number, the one pending verification that
 * owns the current code (`issuance:{phone}`), claimed when the send is admitted. A check goes on
 * only while its browser is that owner (checked atomically with the check's budgets, before 8x8 is
 * called), and a VERIFIED answer signs in only the check that deletes the ownership record — at
 * most once per issuance. A browser whose code was replaced by a newer send (by anyone) can
 * neither complete nor spend attempts on the new code, and a cookie kept after its code was used,
 * discarded or replaced opens nothing.
 */
export type PendingVerification = {
  id: string;
  phone: string;
  sessionId: string;
  expiresAt: string;
  resendAfter: string;
};

export const PENDING_COOKIE_NAME = "otp_pending";
const SEALING_PURPOSE = "pending-verification";
/** Kept a little past the code's expiry, so "expired" can still be told apart from "never sent". */
const GRACE_SECONDS = config.signIn.pendingGrace.value;

const issuanceKey = (phone: string) => `issuance:${phone}`;

/**
 * A new pending verification's id, and the claim that makes it the owner of the number's code:
 * written by the send's budget decision (lib/defenses/limits.ts) in the same atomic step that
 * admits the send, before 8x8 is called. So ownership follows the order in which sends were
 * admitted, and a slow send can never overwrite the claim of a later one (or revive a completed one).
 */
export function newIssuanceClaim(phone: string): {
  pendingId: string;
  claim: { key: string; value: string; ttlSeconds: number };
} {
  const pendingId = randomBytes(18).toString("base64url");
  // Outlives the pending verification's cookie (validity + grace).
  const ttlSeconds =
    getEnv().otp.codeValiditySeconds + GRACE_SECONDS + config.signIn.issuanceClaimExtra.value;
  return { pendingId, claim: { key: issuanceKey(phone), value: pendingId, ttlSeconds } };
}

/** The pending verification `pendingId` for the code 8x8 just sent, sealed into its cookie value. */
export async function sealPendingVerification(
  pendingId: string,
  phone: string,
  session: VerificationSession,
): Promise<{ pending: PendingVerification; cookieValue: string; maxAgeSeconds: number }> {
  const pending: PendingVerification = {
    id: pendingId,
    phone,
    sessionId: session.sessionId,
    expiresAt: session.expiresAt.toISOString(),
    resendAfter: session.resendAfter.toISOString(),
  };
  const maxAgeSeconds =
    Math.max(1, Math.ceil((session.expiresAt.getTime() - Date.now()) / 1000)) + GRACE_SECONDS;
  const cookieValue = await sealValue(SEALING_PURPOSE, pending, new Date(Date.now() + maxAgeSeconds * 1000));
  return { pending, cookieValue, maxAgeSeconds };
}

/** The pending verification in a cookie, or null when the cookie is absent, forged or stale. */
export async function getPendingVerification(
  cookieValue: string | undefined,
): Promise<PendingVerification | null> {
  const sealed = await openSealedValue<PendingVerification>(SEALING_PURPOSE, cookieValue);
  return (
    sealed && {
      id: sealed.id,
      phone: sealed.phone,
      sessionId: sealed.sessionId,
      expiresAt: sealed.expiresAt,
      resendAfter: sealed.resendAfter,
    }
  );
}

/** The code this browser is waiting for — its pending verification while the code still works — else null. */
export async function getWaitingCode(cookieValue: string | undefined): Promise<PendingVerification | null> {
  const pending = await getPendingVerification(cookieValue);
  if (!pending) return null;
  return Date.now() < new Date(pending.expiresAt).getTime() ? pending : null;
}

/** The ownership record a check of `pending` requires (see lib/defenses/limits.ts, decideCheckBudgets). */
export function issuanceOwnership(pending: PendingVerification): { key: string; equals: string } {
  return { key: issuanceKey(pending.phone), equals: pending.id };
}

/** Ends `pending`: its cookie opens nothing once it no longer owns the number's code. */
export async function discardPendingVerification(
  pending: PendingVerification,
  store: KeyValueStore = getStore(),
): Promise<void> {
  await store.deleteIfEquals(issuanceKey(pending.phone), pending.id);
}

/**
 * Forgets who owns the number's current code (an account deletion): the key names the number. A
 * cookie still held for it then opens nothing, as after any other end of its code.
 */
export async function forgetIssuance(phone: string, store: KeyValueStore = getStore()): Promise<void> {
  await store.delete(issuanceKey(phone));
}

/** The pending verification's cookie (see lib/http/cookies.ts). */
export function pendingCookie(request: Request, sent: { cookieValue: string; maxAgeSeconds: number }) {
  return {
    name: PENDING_COOKIE_NAME,
    value: sent.cookieValue,
    options: strictCookieOptions(request, sent.maxAgeSeconds),
  };
}
