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
 * The key names the challenge too, and an answer takes only the challenge it signed: an answer to
 * an older prompt of this browser (say, its autofill prompt, after the button started a newer one)
 * finds nothing and leaves the newer prompt's challenge for its own answer.
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

const keyOf = (id: string, challenge: string) => `passkey:challenge:${id}:${challenge}`;

/** The challenge an answer says it signed (its clientDataJSON's), or null when it names none. */
function signedChallenge(answer: { response: { clientDataJSON: string } }): string | null {
  try {
    const clientData = JSON.parse(
      Buffer.from(answer.response.clientDataJSON, "base64url").toString("utf8"),
    ) as {
      challenge?: unknown;
    };
    return typeof clientData.challenge === "string" && /^[\w-]{16,128}$/.test(clientData.challenge)
      ? clientData.challenge
      : null;
  } catch {
    return null;
  }
}

/**
 * Keeps `challenge` for this browser's next answer; returns the cookie to set. A newer prompt
 * replaces the cookie (and so an older prompt's answer is refused as expired).
 */
export async function holdChallenge(request: Request, challenge: string, purpose: ChallengePurpose) {
  const id = randomBytes(24).toString("base64url");
  const stored: StoredChallenge = { ...purpose, challenge, expiresAt: Date.now() + LIFETIME_SECONDS * 1000 };
  await getStore().set(keyOf(id, challenge), stored, LIFETIME_SECONDS);
  return { name: CHALLENGE_COOKIE_NAME, value: id, options: strictCookieOptions(request, LIFETIME_SECONDS) };
}

/**
 * The challenge of this browser's prompt that `answer` signed, used up by this call. Refused when
 * the browser holds none (`passkey.no_challenge`), when it was used already, has expired, was
 * replaced by a newer prompt, or was made for another purpose or session (`passkey.challenge_expired`).
 */
export async function takeChallenge<P extends ChallengePurpose["purpose"]>(
  request: Request & { cookies: { get(name: string): { value: string } | undefined } },
  answer: { response: { clientDataJSON: string } },
  purpose: P,
  sessionId?: string,
): Promise<Extract<StoredChallenge, { purpose: P }>> {
  const id = request.cookies.get(CHALLENGE_COOKIE_NAME)?.value;
  if (!id || !/^[\w-]{32}$/.test(id)) throw refusal("passkey.no_challenge");
  const challenge = signedChallenge(answer);
  if (!challenge) throw refusal("passkey.invalid");
  const stored = await getStore().take<StoredChallenge>(keyOf(id, challenge));
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
