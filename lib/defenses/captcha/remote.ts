import { z } from "zod";
import { config } from "@/lib/config";
import { refusal } from "@/lib/http/errors";

/**
 * Server-side verification of Cloudflare Turnstile and hCaptcha tokens. Every doubt fails closed:
 * a provider that does not answer in time, answers garbage or says no means no code is sent.
 *
 * Turnstile: https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
 * hCaptcha:  https://docs.hcaptcha.com/#verify-the-user-response-server-side
 */
export const siteverifyUrls = {
  turnstile: "https://challenges.cloudflare.com/turnstile/v0/siteverify",
  hcaptcha: "https://api.hcaptcha.com/siteverify",
} as const;

/** The action the sign-in form declares to Turnstile; a token solved for another action is refused. */
export const TURNSTILE_ACTION = "send_code";
const TIMEOUT_MS = config.captcha.remoteTimeout.value;

const siteverifySchema = z.object({
  success: z.boolean(),
  hostname: z.string().optional(),
  action: z.string().optional(),
  "error-codes": z.array(z.string()).optional(),
});

export type RemoteCaptchaOptions = {
  provider: "turnstile" | "hcaptcha";
  secretKey: string;
  siteKey: string;
  /** Hostnames the token may have been solved on. */
  hostnames: string[];
  clientIp: string;
  fetch?: typeof fetch;
};

export async function verifyRemoteCaptcha(token: string, options: RemoteCaptchaOptions): Promise<void> {
  const body = new URLSearchParams({
    secret: options.secretKey,
    response: token,
    remoteip: options.clientIp,
  });
  if (options.provider === "hcaptcha") body.set("sitekey", options.siteKey);

  let reply: z.infer<typeof siteverifySchema>;
  try {
    const response = await (options.fetch ?? fetch)(siteverifyUrls[options.provider], {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`siteverify answered HTTP ${response.status}`);
    reply = siteverifySchema.parse(await response.json());
  } catch (error) {
    console.error(`[otp-shield] ${options.provider} siteverify failed`, {
      message: (error as Error).message,
    });
    throw refusal("captcha.provider_unavailable");
  }

  if (!reply.success) throw refusal("captcha.invalid");
  if (!reply.hostname || !options.hostnames.includes(reply.hostname.toLowerCase()))
    throw refusal("captcha.hostname");
  if (options.provider === "turnstile" && reply.action !== TURNSTILE_ACTION) throw refusal("captcha.action");
}
