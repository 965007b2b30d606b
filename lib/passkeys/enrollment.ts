import "server-only";
import { randomBytes } from "node:crypto";
import { config } from "@/lib/config";
import { readSignedValue, signValue } from "@/lib/http/signing";
import { getStore } from "@/lib/store";

/**
 * Admin enrollment links: how an admin account gets its first passkey. A code cannot be trusted
 * for that — the hosted demo's sandbox shows anyone the code for any number, and an SMS can be
 * intercepted (SIM swap) — so the operator, who holds AUTH_SECRET, makes a link with
 * `npm run admin:enroll -- +6581234567`. It names one number, is signed with a key derived from
 * AUTH_SECRET, stops working after `passkeys.enrollmentLinkLifetime`, and is used up by the first
 * passkey it adds. Signed rather than stored, so the command needs no access to the running
 * app's store or database (an embedded PGlite serves one process only).
 */
const PURPOSE = "admin-enrollment";
const LIFETIME_MS = config.passkeys.enrollmentLinkLifetime.value * 60_000;

export type Enrollment = { phone: string; nonce: string; expiresAt: number };

/** A fresh enrollment token for `phone` (E.164). */
export function createEnrollmentToken(phone: string, now = Date.now()): string {
  const enrollment: Enrollment = {
    phone,
    nonce: randomBytes(16).toString("base64url"),
    expiresAt: now + LIFETIME_MS,
  };
  return signValue(PURPOSE, Buffer.from(JSON.stringify(enrollment)).toString("base64url"));
}

/** The enrollment a token carries when it is ours and has not expired (used or not), else null. */
export function readEnrollmentToken(token: string | null | undefined): Enrollment | null {
  if (!token || token.length > 512) return null;
  const value = readSignedValue(PURPOSE, token);
  if (!value) return null;
  try {
    const enrollment = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Enrollment;
    return enrollment.expiresAt > Date.now() ? enrollment : null;
  } catch {
    return null;
  }
}

/** Uses the enrollment up: true for the first caller only (atomic in the store). */
export async function claimEnrollment(enrollment: Enrollment): Promise<boolean> {
  const ttlSeconds = Math.max(1, Math.ceil((enrollment.expiresAt - Date.now()) / 1000));
  return getStore().setIfAbsent(`passkey:enrollment:${enrollment.nonce}`, true, ttlSeconds);
}

/** Whether the enrollment was used already (the enrollment page says so before any prompt). */
export async function isEnrollmentUsed(enrollment: Enrollment): Promise<boolean> {
  return (await getStore().get(`passkey:enrollment:${enrollment.nonce}`)) !== null;
}
