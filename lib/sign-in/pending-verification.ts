import "server-only";
import { randomBytes } from "node:crypto";
import type { VerificationSession } from "@/lib/eight-by-eight";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { strictCookieOptions } from "@/lib/http/cookies";
import { readSignedValue, signValue } from "@/lib/http/signing";
import { getStore, type KeyValueStore } from "@/lib/store";

/**
 * A pending verification ties one browser to one code issuance: one code that 8x8 sent to one
 * phone number. The browser holds only a random id in a signed, httpOnly, short-lived cookie; the
 * phone number and the 8x8 session id stay on the server.
 *
 * 8x8 keeps one session per destination and answers VERIFIED to every later check of a verified
 * session, so the 8x8 session cannot tell browsers apart. Ownership does: each send asks 8x8 for a
 * new code (`resetSession: true`) and records, for the number, the one pending verification that
 * owns the current code (`issuance:{phone}`), claimed when the send is admitted. A check
 * goes on only while its browser is that owner (checked atomically with the check's budgets, before
 * 8x8 is called), and a VERIFIED answer signs in only the check that deletes the ownership record —
 * at most once per issuance. A browser whose code was replaced by a newer send (by anyone) can
 * neither complete nor spend attempts on the new code.
 */
export type PendingVerification = {
  id: string;
  phone: string;
  sessionId: string;
  expiresAt: string;
  resendAfter: string;
};

export const PENDING_COOKIE_NAME = "otp_pending";
const SIGNING_PURPOSE = "pending-verification";
/** Kept a little past the code's expiry, so "expired" can still be told apart from "never sent". */
const GRACE_SECONDS = config.signIn.pendingGrace.value;

const pendingKey = (id: string) => `pending:${id}`;
const issuanceKey = (phone: string) => `issuance:${phone}`;

/**
 * A new pending verification's id, and the claim that makes it the owner of the number's code:
 * written by the send's budget decision (lib/defenses/limits.ts) in the same atomic step that admits the
 * send, before 8x8 is called. So ownership follows the order in which sends were admitted, and a
 * slow send can never overwrite the claim of a later one (or revive a completed one).
 */
export function newIssuanceClaim(phone: string): {
  pendingId: string;
  claim: { key: string; value: string; ttlSeconds: number };
} {
  const pendingId = randomBytes(18).toString("base64url");
  // Outlives the pending verification written after 8x8 answers (validity + grace).
  const ttlSeconds =
    getEnv().otp.codeValiditySeconds + GRACE_SECONDS + config.signIn.issuanceClaimExtra.value;
  return { pendingId, claim: { key: issuanceKey(phone), value: pendingId, ttlSeconds } };
}

/** Stores the pending verification `pendingId` for the code 8x8 just sent; its cookie value. */
export async function savePendingVerification(
  pendingId: string,
  phone: string,
  session: VerificationSession,
  store: KeyValueStore = getStore(),
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
  await store.set(pendingKey(pending.id), pending, maxAgeSeconds);
  return { pending, cookieValue: signValue(SIGNING_PURPOSE, pending.id), maxAgeSeconds };
}

/** The pending verification named by a cookie, or null when the cookie is absent, forged or stale. */
export async function getPendingVerification(
  cookieValue: string | undefined,
  store: KeyValueStore = getStore(),
): Promise<PendingVerification | null> {
  const id = readSignedValue(SIGNING_PURPOSE, cookieValue);
  return id ? store.get<PendingVerification>(pendingKey(id)) : null;
}

/** The ownership record a check of `pending` requires (see lib/defenses/limits.ts, decideCheckBudgets). */
export function issuanceOwnership(pending: PendingVerification): { key: string; equals: string } {
  return { key: issuanceKey(pending.phone), equals: pending.id };
}

/**
 * What ending `pending` after 8x8 verified its code settles (`BudgetStore.settle`, in one step
 * with the number's budgets): its ownership of the number's current issuance, deleted only while
 * it still owns it — so of concurrent checks, and of checks after a newer send, no other settles —
 * and its own record, deleted either way.
 */
export function completionOf(pending: PendingVerification): {
  ownership: { key: string; equals: string };
  forget: string[];
} {
  return { ownership: issuanceOwnership(pending), forget: [pendingKey(pending.id)] };
}

/** Forgets `pending` (and its ownership, if it still owns the number's code). */
export async function discardPendingVerification(
  pending: PendingVerification,
  store: KeyValueStore = getStore(),
): Promise<void> {
  await Promise.all([
    store.deleteIfEquals(issuanceKey(pending.phone), pending.id),
    store.delete(pendingKey(pending.id)),
  ]);
}

/** The pending verification's cookie (see lib/http/cookies.ts). */
export function pendingCookie(request: Request, sent: { cookieValue: string; maxAgeSeconds: number }) {
  return {
    name: PENDING_COOKIE_NAME,
    value: sent.cookieValue,
    options: strictCookieOptions(request, sent.maxAgeSeconds),
  };
}
