import "server-only";
import { randomBytes } from "node:crypto";
import type { VerificationSession } from "./eight-by-eight";
import { isHttpsRequest } from "./request-origin";
import { readSignedValue, signValue } from "./signing";
import { getStore, type KeyValueStore } from "./store";

/**
 * A pending verification ties one browser to one 8x8 session and one phone number. The browser
 * holds only a random id in a signed, httpOnly, short-lived cookie; the phone number and the 8x8
 * session id stay on the server. So a code can only ever sign in the browser that asked for it,
 * and only for the number it was sent to.
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
const GRACE_SECONDS = 120;

const pendingKey = (id: string) => `pending:${id}`;

export async function savePendingVerification(
  phone: string,
  session: VerificationSession,
  store: KeyValueStore = getStore(),
): Promise<{ pending: PendingVerification; cookieValue: string; maxAgeSeconds: number }> {
  const pending: PendingVerification = {
    id: randomBytes(18).toString("base64url"),
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

/** Removes the pending verification; of many concurrent callers exactly one gets it back. */
export async function consumePendingVerification(
  id: string,
  store: KeyValueStore = getStore(),
): Promise<PendingVerification | null> {
  return store.take<PendingVerification>(pendingKey(id));
}

/** httpOnly and SameSite=Strict: scripts cannot read it and other sites cannot make the browser send it. */
export function pendingCookieOptions(request: Request, maxAgeSeconds: number) {
  return {
    httpOnly: true,
    secure: isHttpsRequest(request),
    sameSite: "strict" as const,
    path: "/",
    maxAge: maxAgeSeconds,
  };
}
