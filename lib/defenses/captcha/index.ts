import "server-only";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { refusal } from "@/lib/http/errors";
import { verifyAltchaPayload, type CaptchaClaim } from "./altcha";

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
 * Verifies the `captcha` field of a send with the configured provider: ALTCHA (default,
 * self-hosted proof of work), Cloudflare Turnstile or hCaptcha. Refusal is `403 captcha_failed`.
 */
export async function verifyCaptcha(
  token: string | undefined,
  request: Request,
  clientIp: string,
): Promise<CaptchaClaim | null> {
  if (!token) throw refusal("captcha.missing");
  const { captcha } = getEnv();
  if (captcha.provider === "altcha") return verifyAltchaPayload(token);
  // Turnstile and hCaptcha tokens are single-use at the provider: nothing to claim here.
  await verifyRemoteCaptcha(token, {
    provider: captcha.provider,
    secretKey: captcha.secretKey!,
    siteKey: captcha.siteKey!,
    hostnames:
      captcha.hostnames.length > 0 ? captcha.hostnames : [new URL(request.url).hostname.toLowerCase()],
    clientIp,
  });
  return null;
}
