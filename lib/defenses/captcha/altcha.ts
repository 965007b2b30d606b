import "server-only";
import { CappedMap, createChallenge, verifySolution, type Challenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import { hkdfSync } from "node:crypto";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { refusal } from "@/lib/http/errors";
import { attackModeFlagKey, isAttackModeOn } from "./attack-mode";

/**
 * ALTCHA: a self-hosted proof of work (PBKDF2/SHA-256), so the default CAPTCHA works offline and
 * sends no visitor data to a third party. Each challenge is signed, expires, and is accepted once
 * on every instance (its signature is remembered in the store until it expires). While the send
 * rate is abnormal (attack mode) new challenges cost `ALTCHA_ATTACK_COST_MULTIPLIER` times more,
 * and challenges bought at the normal price stop being accepted.
 *
 * Issuing is cheap on purpose: a challenge is random bytes and an HMAC (altcha-lib's
 * non-deterministic mode: the solver searches for a key that starts with a signed prefix of
 * zeros). The one key derivation happens when a solution arrives, at most once per challenge on
 * each instance (`triedChallenges`), so neither asking for challenges nor posting forged
 * solutions buys an attacker more server CPU than the challenge limits allow.
 *
 * https://altcha.org/docs/v2/server-integration
 */
const CHALLENGE_TTL_SECONDS = config.captcha.challengeLifetime.value;
const ALGORITHM = "PBKDF2/SHA-256";

const secrets = new Map<string, string>();
function secret(purpose: string): string {
  let value = secrets.get(purpose);
  if (!value) {
    value = Buffer.from(
      hkdfSync("sha256", getEnv().authSecret, "", `otp-shield:altcha:${purpose}`, 32),
    ).toString("hex");
    secrets.set(purpose, value);
  }
  return value;
}

/** What a challenge costs: PBKDF2 iterations per try, and hex zeros its key must start with. */
export type AltchaPrice = { cost: number; keyPrefixLength: number };

/**
 * The price of a challenge now. The expected work is what `ALTCHA_COST` and `ALTCHA_MAX_COUNTER`
 * have always meant — `ALTCHA_COST` iterations times ¾ of `ALTCHA_MAX_COUNTER` tries — spread
 * over the nearest power of 16 tries (one hex digit of key prefix each): a zero prefix can only
 * grow by a factor of 16, so the iterations per try absorb the rest. Attack mode multiplies the
 * iterations. Fewer iterations per try also keep the one derivation a verification costs small.
 */
export function altchaPrice(attack: boolean): AltchaPrice {
  const { cost, maxCounter, attackCostMultiplier } = getEnv().captcha.altcha;
  const tries = Math.max(1, maxCounter * 0.75);
  const keyPrefixLength = Math.max(1, Math.round(Math.log(tries) / Math.log(16)));
  const normalCost = Math.max(1, Math.round((cost * tries) / 16 ** keyPrefixLength));
  return { cost: normalCost * (attack ? attackCostMultiplier : 1), keyPrefixLength };
}

/** Expected PBKDF2 iterations to solve a challenge of this price. */
const workOf = (price: AltchaPrice) => price.cost * 16 ** price.keyPrefixLength;

export async function createAltchaChallenge(): Promise<Challenge> {
  const price = altchaPrice(await isAttackModeOn());
  // No `counter`: the server derives no key now (it would cost as much as one try of the solver).
  return createChallenge({
    algorithm: ALGORITHM,
    cost: price.cost,
    keyPrefix: "0".repeat(price.keyPrefixLength),
    deriveKey,
    expiresAt: new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000),
    hmacSignatureSecret: secret("signature"),
  });
}

type AltchaPayload = { challenge: Challenge; solution: { counter: number; derivedKey: string } };

/**
 * Signatures of challenges this instance has already let through its screening: each challenge
 * gets one pass, so a forged solution posted many times (or concurrently) costs one number parse
 * and one key derivation. Only correctly signed challenges enter it, and those are rate-limited at
 * issue; an entry pushed out early costs one more pass, never an acceptance (the store's
 * single-use claim decides).
 */
const triedChallenges = new CappedMap<string, true>({ maxSize: config.captcha.triedChallenges.value });

/**
 * A payload whose challenge is ours: signed by this deployment, unexpired, at a price still
 * accepted. Checked without deriving a key, so it can come before any work on the number.
 */
export type ScreenedAltcha = { payload: AltchaPayload; boughtBeforeAttack: boolean };

/**
 * Accepts a challenge this deployment signed, unexpired and at a price still accepted (CPU only,
 * no key derived); anything else is `403 captcha_failed`. Its solution is checked by
 * `verifyAltchaSolution`.
 */
export async function screenAltchaPayload(payload: string): Promise<ScreenedAltcha> {
  const decoded = decodePayload(payload);
  if (!decoded) throw refusal("captcha.malformed");
  const { challenge } = decoded;

  // 1. Expiry and signature, without deriving a key: altcha-lib checks those before it looks at
  //    the solution, and answers a malformed one (counter -1) without deriving.
  const signed = await checkSolution(challenge, { counter: -1, derivedKey: "" });
  if (!signed) throw refusal("captcha.malformed");
  if (signed.expired) throw refusal("captcha.expired");
  if (signed.invalidSignature !== false) throw refusal("captcha.invalid");

  // 2. The signed price: below today's normal price (the settings went up) it is refused; below
  //    the attack price it is void while attack mode is on, which the caller reads with its claim.
  const work = workOf({
    cost: challenge.parameters.cost,
    keyPrefixLength: challenge.parameters.keyPrefix.length,
  });
  // (A key signature marks a challenge issued with its key derived, before this scheme: its
  // prefix says nothing about its price.)
  if (
    challenge.parameters.algorithm !== ALGORITHM ||
    challenge.parameters.keySignature !== undefined ||
    work < workOf(altchaPrice(false))
  )
    throw refusal("captcha.outdated");

  // 3. One screening per challenge on this instance (synchronous test-and-set: concurrent requests
  //    cannot race), so a signed challenge posted again is refused here, before its number is
  //    parsed, and its key is derived at most once. The sign-in page posts a fresh one every time.
  if (!triedChallenges.setIfAbsent(challenge.signature!, true)) throw refusal("captcha.replayed");
  return { payload: decoded, boughtBeforeAttack: work < workOf(altchaPrice(true)) };
}

/**
 * Accepts the solution of a challenge screened on this instance (`screenAltchaPayload`, which lets
 * each through once): one key derivation.
 * Returns the claim that makes it single-use, which the caller must make in the store (see
 * `CaptchaClaim`).
 */
export async function verifyAltchaSolution({
  payload: { challenge, solution },
  boughtBeforeAttack,
}: ScreenedAltcha): Promise<CaptchaClaim> {
  // 4. The one key derivation.
  const result = await checkSolution(challenge, solution);
  if (!result) throw refusal("captcha.malformed");
  if (!result.verified) throw refusal("captcha.invalid");

  // Single use, on every instance: the first request to claim the signature wins.
  const expiresAt = (challenge.parameters.expiresAt ?? 0) * 1000;
  return {
    key: `captcha-used:${challenge.signature}`,
    ttlSeconds: Math.max(1, Math.ceil((expiresAt - Date.now()) / 1000)),
    voidWhileSet: boughtBeforeAttack ? attackModeFlagKey : undefined,
  };
}

/** altcha-lib's check of `solution` against our signature; null when it cannot be checked at all. */
function checkSolution(challenge: Challenge, solution: AltchaPayload["solution"]) {
  return verifySolution({ challenge, solution, deriveKey, hmacSignatureSecret: secret("signature") }).catch(
    () => null,
  );
}

/** Both checks of a payload in turn (`screenAltchaPayload`, then `verifyAltchaSolution`). */
export async function verifyAltchaPayload(payload: string): Promise<CaptchaClaim> {
  return verifyAltchaSolution(await screenAltchaPayload(payload));
}

/**
 * The store key whose creation marks a solved challenge as used. Claimed by the caller together
 * with its other reads (one round trip); a claim that fails is a replay. When `voidWhileSet` is
 * given, the caller reads that key in the same round trip and refuses the claim while it exists
 * (`captcha.outdated`): a challenge bought at the normal price is worthless in attack mode.
 */
export type CaptchaClaim = { key: string; ttlSeconds: number; voidWhileSet?: string };

function decodePayload(payload: string): AltchaPayload | null {
  // Most forgeries are not base64 JSON at all (a JSON object's base64 starts "eyJ", for `{"`):
  // refused before decoding, and without the cost of a parse error.
  if (!payload.startsWith("eyJ")) return null;
  const text = Buffer.from(payload, "base64").toString("utf8");
  try {
    const json = JSON.parse(text) as AltchaPayload;
    const { challenge, solution } = json;
    if (
      typeof challenge?.signature !== "string" ||
      typeof challenge.parameters?.expiresAt !== "number" ||
      typeof challenge.parameters.cost !== "number" ||
      typeof challenge.parameters.keyPrefix !== "string" ||
      typeof solution?.counter !== "number" ||
      typeof solution.derivedKey !== "string"
    ) {
      return null;
    }
    return json;
  } catch {
    return null;
  }
}
