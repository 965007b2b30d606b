import "server-only";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { refusal } from "@/lib/http/errors";
import { screenAltchaPayload, verifyAltchaSolution, type CaptchaClaim, type ScreenedAltcha } from "./altcha";

export type { CaptchaClaim } from "./altcha";
import { verifyRemoteCaptcha } from "./remote";

export { createAltchaChallenge } from "./altcha";
export { isAttackModeOn, turnOnAttackMode } from "./attack-mode";

/** What the sign-in form needs to render the configured widget (never a secret). */
export function getCaptchaWidgetConfig(): {
  provider: "altcha" | "turnstile" | "hcaptcha";
  siteKey?: string;
  /** ALTCHA: how long a solution is accepted (the challenge's lifetime), so the page re-solves in time. */
  solutionLifetimeSeconds?: number;
} {
  const { provider, siteKey } = getEnv().captcha;
  return provider === "altcha"
    ? { provider, solutionLifetimeSeconds: config.captcha.challengeLifetime.value }
    : { provider, siteKey };
}

/**
 * A send's `captcha` field after the checks that cost neither a key derivation nor a call: present
 * and, for ALTCHA, a challenge this deployment signed, unexpired, at a price still accepted.
 */
export type ScreenedCaptcha =
  { provider: "altcha"; altcha: ScreenedAltcha } | { provider: "turnstile" | "hcaptcha"; token: string };

/**
 * The first half of the CAPTCHA check, cheap enough to run before anything is done with the number:
 * a bot that solves nothing is refused here. Refusal is `403 captcha_failed`.
 */
export async function screenCaptcha(token: string | undefined): Promise<ScreenedCaptcha> {
  if (!token) throw refusal("captcha.missing");
  const { provider } = getEnv().captcha;
  return provider === "altcha" ? { provider, altcha: await screenAltchaPayload(token) } : { provider, token };
}

/**
 * The second half: the solution itself, with the configured provider — ALTCHA (default,
 * self-hosted proof of work: one key derivation), Cloudflare Turnstile or hCaptcha (a call to
 * their siteverify). Refusal is `403 captcha_failed`.
 */
export async function verifyCaptcha(
  screened: ScreenedCaptcha,
  request: Request,
  clientIp: string,
): Promise<CaptchaClaim | null> {
  if (screened.provider === "altcha") return verifyAltchaSolution(screened.altcha);
  const { captcha } = getEnv();
  // Turnstile and hCaptcha tokens are single-use at the provider: nothing to claim here.
  await verifyRemoteCaptcha(screened.token, {
    provider: screened.provider,
    secretKey: captcha.secretKey!,
    siteKey: captcha.siteKey!,
    hostnames:
      captcha.hostnames.length > 0 ? captcha.hostnames : [new URL(request.url).hostname.toLowerCase()],
    clientIp,
  });
  return null;
}
