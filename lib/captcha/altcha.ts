import "server-only";
import { createChallenge, randomInt, verifySolution, type Challenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import { hkdfSync } from "node:crypto";
import { getEnv } from "../env";
import { AppError } from "../errors";
import { isAttackModeOn } from "./attack-mode";

/**
 * ALTCHA: a self-hosted proof of work (PBKDF2/SHA-256), so the default CAPTCHA works offline and
 * sends no visitor data to a third party. Each challenge is signed, expires, and is accepted once
 * on every instance (its signature is remembered in the store until it expires). While the send
 * rate is abnormal (attack mode) new challenges cost `ALTCHA_ATTACK_COST_MULTIPLIER` times more.
 *
 * https://altcha.org/docs/v2/server-integration
 */
const CHALLENGE_TTL_SECONDS = 10 * 60;
const ALGORITHM = "PBKDF2/SHA-256";

function secret(purpose: string): string {
  return Buffer.from(
    hkdfSync("sha256", getEnv().authSecret, "", `otp-shield:altcha:${purpose}`, 32),
  ).toString("hex");
}

export async function createAltchaChallenge(): Promise<Challenge> {
  const { altcha } = getEnv().captcha;
  const multiplier = (await isAttackModeOn()) ? altcha.attackCostMultiplier : 1;
  return createChallenge({
    algorithm: ALGORITHM,
    cost: altcha.cost * multiplier,
    counter: randomInt(Math.max(1, Math.floor(altcha.maxCounter / 2)), altcha.maxCounter),
    deriveKey,
    expiresAt: new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000),
    hmacSignatureSecret: secret("signature"),
    hmacKeySignatureSecret: secret("key-signature"),
  });
}

type AltchaPayload = { challenge: Challenge; solution: { counter: number; derivedKey: string } };

/**
 * Accepts a solved, unexpired, untampered challenge (CPU only); anything else is
 * `403 captcha_failed`. Returns the claim that makes it single-use, which the caller must make
 * in the store (see `CaptchaClaim`).
 */
export async function verifyAltchaPayload(payload: string): Promise<CaptchaClaim> {
  const decoded = decodePayload(payload);
  if (!decoded) throw captchaFailed("captcha.malformed");
  const result = await verifySolution({
    challenge: decoded.challenge,
    solution: decoded.solution,
    deriveKey,
    hmacSignatureSecret: secret("signature"),
    hmacKeySignatureSecret: secret("key-signature"),
  }).catch(() => null);
  if (!result) throw captchaFailed("captcha.malformed");
  if (result.expired) throw captchaFailed("captcha.expired");
  if (!result.verified) throw captchaFailed("captcha.invalid");

  // Single use, on every instance: the first request to claim the signature wins.
  const expiresAt = (decoded.challenge.parameters.expiresAt ?? 0) * 1000;
  return {
    key: `captcha-used:${decoded.challenge.signature}`,
    ttlSeconds: Math.max(1, Math.ceil((expiresAt - Date.now()) / 1000)),
  };
}

/**
 * The store key whose creation marks a solved challenge as used. Claimed by the caller together
 * with its other reads (one round trip); a claim that fails is a replay.
 */
export type CaptchaClaim = { key: string; ttlSeconds: number };

function decodePayload(payload: string): AltchaPayload | null {
  try {
    const json = JSON.parse(Buffer.from(payload, "base64").toString("utf8")) as AltchaPayload;
    const { challenge, solution } = json;
    if (
      typeof challenge?.signature !== "string" ||
      typeof challenge.parameters?.expiresAt !== "number" ||
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

export function captchaFailed(rule: string): AppError {
  return new AppError("captcha_failed", "Please complete the verification and try again.", { rule });
}
