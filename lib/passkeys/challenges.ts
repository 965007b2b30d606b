import "server-only";
import { randomBytes } from "node:crypto";
import { config } from "@/lib/config";
import { strictCookieOptions } from "@/lib/http/cookies";
import { refusal } from "@/lib/http/errors";
import { getStore } from "@/lib/store";

/**
 * WebAuthn challenges: every passkey prompt gets a fresh random challenge, which the answer must
 * sign. Each is kept in the store (so any instance can check the answer) under a random id that
 * only this browser holds, in an httpOnly cookie; it expires with the prompt and is taken — read
 * and deleted in one atomic step — by the first answer, so it can be used once, by this browser.
 * This namespace (`passkey:challenge:*`) has no other owner.
 */
export const CHALLENGE_COOKIE_NAME = "passkey-challenge";
const LIFETIME_SECONDS = config.passkeys.challengeLifetime.value;

/** What a prompt is for, and whom: an answer is accepted only for the same purpose and session. */
export type ChallengePurpose =
  | { purpose: "sign-in" }
  | { purpose: "register"; sessionId: string; enrollment: string | null }
  | { purpose: "confirm"; sessionId: string };

type StoredChallenge = ChallengePurpose & { challenge: string; expiresAt: number };

const keyOf = (id: string) => `passkey:challenge:${id}`;

/**
 * Keeps `challenge` for this browser's next answer; returns the cookie to set. A newer prompt
 * replaces the cookie (and so an older prompt's answer is refused as expired).
 */
export async function holdChallenge(request: Request, challenge: string, purpose: ChallengePurpose) {
  const id = randomBytes(24).toString("base64url");
  const stored: StoredChallenge = { ...purpose, challenge, expiresAt: Date.now() + LIFETIME_SECONDS * 1000 };
  await getStore().set(keyOf(id), stored, LIFETIME_SECONDS);
  return { name: CHALLENGE_COOKIE_NAME, value: id, options: strictCookieOptions(request, LIFETIME_SECONDS) };
}

/**
 * The challenge of this browser's prompt, used up by this call. Refused when the browser holds
 * none (`passkey.no_challenge`), when it was used already, has expired, or was made for another
 * purpose or session (`passkey.challenge_expired`).
 */
export async function takeChallenge<P extends ChallengePurpose["purpose"]>(
  request: Request & { cookies: { get(name: string): { value: string } | undefined } },
  purpose: P,
  sessionId?: string,
): Promise<Extract<StoredChallenge, { purpose: P }>> {
  const id = request.cookies.get(CHALLENGE_COOKIE_NAME)?.value;
  if (!id || !/^[\w-]{32}$/.test(id)) throw refusal("passkey.no_challenge");
  const stored = await getStore().take<StoredChallenge>(keyOf(id));
  if (
    !stored ||
    stored.expiresAt <= Date.now() ||
    stored.purpose !== purpose ||
    ("sessionId" in stored && stored.sessionId !== sessionId)
  ) {
    throw refusal("passkey.challenge_expired");
  }
  return stored as Extract<StoredChallenge, { purpose: P }>;
}
