import "server-only";
import { z } from "zod";
import { ClientIpSettingsError, parseClientIpSettings } from "./client-ip-settings";
import { parseLimitOverrides } from "./config";
import { DEFAULT_ALLOWED_COUNTRIES, type DestinationPolicy } from "./destination-policy";
import { isKnownCountry, parsePhone } from "./phone";
import type { StoreSettings } from "./store/create-backend";

/**
 * The one place that reads `process.env`. Every setting is validated once, typed, and given its
 * documented default here; `.env.example` and the README table list the same names.
 *
 * Security decisions made here:
 * - In production the 8x8 sandbox never turns on by itself: `OTP_PROVIDER=sandbox` must be set
 *   (the hosted demo), and then every page shows a "Sandbox" banner.
 * - In production `AUTH_SECRET` is required; development gets a fixed, publicly known secret so
 *   that `npm run dev` works on a fresh clone (never deploy it).
 */

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const booleanString = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) =>
    value === undefined || value === "" ? undefined : value === "true" || value === "1",
  );

const integerString = (min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return undefined;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return parsed;
    });

/** 8x8 Connect regions and their Verify / Number Lookup hosts (api-notes §0, "Regional base URLs"). */
export const eightByEightRegions = {
  "asia-pacific": { verify: "https://verify.8x8.com", lookup: "https://lookup.8x8.com" },
  europe: { verify: "https://verify.8x8.uk", lookup: "https://lookup.8x8.uk" },
  "north-america": { verify: "https://verify.us.8x8.com", lookup: "https://lookup.us.8x8.com" },
  indonesia: { verify: "https://verify.8x8.id", lookup: "https://lookup.8x8.id" },
} as const;

const rawEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  OTP_PROVIDER: z.enum(["sandbox", "8x8"]).optional(),
  EIGHT_BY_EIGHT_API_KEY: optionalString,
  EIGHT_BY_EIGHT_SUBACCOUNT_ID: z
    .string()
    .regex(/^[A-Za-z0-9\-._&]{3,50}$/, "must be 3–50 letters, digits or - . _ &")
    .optional(),
  EIGHT_BY_EIGHT_REGION: z
    .enum(Object.keys(eightByEightRegions) as [keyof typeof eightByEightRegions])
    .default("asia-pacific"),
  EIGHT_BY_EIGHT_TIMEOUT_MS: integerString(100, 60_000),
  AUTH_SECRET: optionalString,
  AUTH_TRUST_HOST: booleanString,
  SANDBOX_INBOX: z.enum(["all", "own"]).optional(),
  OTP_BRAND: z.string().trim().max(30, "must be at most 30 characters (8x8's limit)").optional(),
  OTP_CODE_LENGTH: integerString(4, 10),
  OTP_CODE_VALIDITY_SECONDS: integerString(30, 7200),
  OTP_RESEND_INTERVAL_SECONDS: integerString(10, 7200),
  CLIENT_IP_PRESET: z.string().optional(),
  CLIENT_IP_STRATEGY: z.string().optional(),
  CLIENT_IP_HEADER: z.string().optional(),
  CLIENT_IP_TRUSTED_COUNT: z.string().optional(),
  CLIENT_IP_TRUSTED_RANGES: z.string().optional(),
  CLIENT_IP_IPV6_PREFIX: z.string().optional(),
  ADMIN_SESSION_MINUTES: integerString(5, 24 * 60),
  ADMIN_PHONE_NUMBERS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const numbers: string[] = [];
      for (const item of (value ?? "")
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean)) {
        const parsed = parsePhone(item);
        if (!parsed.ok || parsed.phone.e164 !== item) {
          ctx.addIssue({ code: "custom", message: `"${item}" is not an E.164 number such as +6581234567` });
          return z.NEVER;
        }
        numbers.push(parsed.phone.e164);
      }
      return numbers;
    }),
  UPSTASH_REDIS_REST_URL: optionalString.pipe(
    z.url("must be the https URL of your Upstash database").optional(),
  ),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
      .optional(),
  ),
  STORE_TIMEOUT_MS: integerString(50, 10_000),
  THROTTLE_EVENT_CAPACITY: integerString(1000, 1_000_000),
  THROTTLE_PHONE_RETENTION_HOURS: integerString(0, 24 * 365),
  STORE_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]{0,40}$/, "must be at most 40 letters, digits or _ : . -")
    .default("otp:"),
  RATE_LIMITS: z.string().optional(),
  ALLOWED_COUNTRIES: z.string().optional(),
  DENIED_COUNTRIES: z.string().optional(),
  ALLOW_VOIP: booleanString,
  CAPTCHA_PROVIDER: z.enum(["altcha", "turnstile", "hcaptcha"]).default("altcha"),
  ALTCHA_COST: integerString(1, 1_000_000),
  ALTCHA_MAX_COUNTER: integerString(1, 10_000_000),
  ALTCHA_ATTACK_COST_MULTIPLIER: integerString(1, 100),
  ATTACK_MODE_SENDS_PER_MINUTE: integerString(1, 1_000_000),
  TURNSTILE_SITE_KEY: optionalString,
  TURNSTILE_SECRET_KEY: optionalString,
  HCAPTCHA_SITE_KEY: optionalString,
  HCAPTCHA_SECRET_KEY: optionalString,
  CAPTCHA_HOSTNAMES: optionalString,
  DEFAULT_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, "must be an ISO 3166 alpha-2 code such as US or SG")
    .default("US"),
});

/** A development-only signing secret, so that a fresh clone runs without configuration. */
const DEVELOPMENT_AUTH_SECRET = "development-only-secret-do-not-deploy-0123456789abcdef";

export type Env = ReturnType<typeof buildEnv>;

function buildEnv(source: Record<string, string | undefined>) {
  const parsed = rawEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const raw = parsed.data;
  const isProduction = raw.NODE_ENV === "production";

  const otpProvider = raw.OTP_PROVIDER ?? chooseDefaultOtpProvider(raw.EIGHT_BY_EIGHT_API_KEY, isProduction);
  if (otpProvider === "8x8") {
    const missing = ["EIGHT_BY_EIGHT_API_KEY", "EIGHT_BY_EIGHT_SUBACCOUNT_ID"].filter(
      (name) => !raw[name as "EIGHT_BY_EIGHT_API_KEY" | "EIGHT_BY_EIGHT_SUBACCOUNT_ID"],
    );
    if (missing.length > 0) {
      throw new EnvError(
        `OTP_PROVIDER=8x8 needs ${missing.join(" and ")} (from connect.8x8.com → API keys).`,
      );
    }
  }

  if (isProduction && !raw.AUTH_SECRET) {
    throw new EnvError(
      "AUTH_SECRET is required in production: generate one with `npx auth secret` or `openssl rand -base64 33`.",
    );
  }

  let clientIp;
  try {
    clientIp = parseClientIpSettings(raw, isProduction);
  } catch (error) {
    if (error instanceof ClientIpSettingsError) throw new EnvError(error.message);
    throw error;
  }

  let limits;
  try {
    limits = parseLimitOverrides(raw.RATE_LIMITS);
  } catch (error) {
    throw new EnvError((error as Error).message);
  }

  const captcha = chooseCaptcha(raw);
  const destinations: DestinationPolicy = {
    allowedCountries: new Set(
      parseCountryList("ALLOWED_COUNTRIES", raw.ALLOWED_COUNTRIES) ?? DEFAULT_ALLOWED_COUNTRIES,
    ),
    deniedCountries: new Set(parseCountryList("DENIED_COUNTRIES", raw.DENIED_COUNTRIES) ?? []),
    allowVoip: raw.ALLOW_VOIP ?? false,
  };

  return {
    isProduction,
    otpProvider,
    clientIp,
    limits,
    captcha,
    destinations,
    store: chooseStore(raw),
    adminPhoneNumbers: raw.ADMIN_PHONE_NUMBERS,
    adminSessionMinutes: raw.ADMIN_SESSION_MINUTES ?? 120,
    eightByEight: {
      apiKey: raw.EIGHT_BY_EIGHT_API_KEY ?? "",
      subAccountId: raw.EIGHT_BY_EIGHT_SUBACCOUNT_ID ?? "sandbox_hq",
      urls: eightByEightRegions[raw.EIGHT_BY_EIGHT_REGION],
      timeoutMs: raw.EIGHT_BY_EIGHT_TIMEOUT_MS ?? 5000,
    },
    authSecret: raw.AUTH_SECRET ?? DEVELOPMENT_AUTH_SECRET,
    // The sandbox's full inbox (and its fault controls) is for local development and tests; a
    // public demo shows each browser only the messages of its own pending verification.
    sandboxInbox: raw.SANDBOX_INBOX ?? (isProduction ? "own" : "all"),
    otp: {
      brand: raw.OTP_BRAND ?? "OTP Shield",
      codeLength: raw.OTP_CODE_LENGTH ?? 6,
      codeValiditySeconds: raw.OTP_CODE_VALIDITY_SECONDS ?? 300,
      resendIntervalSeconds: raw.OTP_RESEND_INTERVAL_SECONDS ?? 30,
    },
    defaultCountry: raw.DEFAULT_COUNTRY,
  };
}

/** A comma-separated list of ISO alpha-2 codes, or undefined when unset. */
function parseCountryList(name: string, value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const codes = value
    .split(",")
    .map((code) => code.trim().toUpperCase())
    .filter(Boolean);
  const unknown = codes.filter((code) => !isKnownCountry(code));
  if (unknown.length > 0) throw new EnvError(`${name} has unknown country codes: ${unknown.join(", ")}.`);
  return codes;
}

function chooseCaptcha(raw: z.infer<typeof rawEnvSchema>) {
  const provider = raw.CAPTCHA_PROVIDER;
  const keys = {
    turnstile: { siteKey: raw.TURNSTILE_SITE_KEY, secretKey: raw.TURNSTILE_SECRET_KEY, prefix: "TURNSTILE" },
    hcaptcha: { siteKey: raw.HCAPTCHA_SITE_KEY, secretKey: raw.HCAPTCHA_SECRET_KEY, prefix: "HCAPTCHA" },
  } as const;
  if (provider !== "altcha") {
    const { siteKey, secretKey, prefix } = keys[provider];
    if (!siteKey || !secretKey) {
      throw new EnvError(`CAPTCHA_PROVIDER=${provider} needs ${prefix}_SITE_KEY and ${prefix}_SECRET_KEY.`);
    }
  }
  return {
    provider,
    altcha: {
      cost: raw.ALTCHA_COST ?? 2000,
      maxCounter: raw.ALTCHA_MAX_COUNTER ?? 2000,
      attackCostMultiplier: raw.ALTCHA_ATTACK_COST_MULTIPLIER ?? 8,
    },
    attackModeSendsPerMinute: raw.ATTACK_MODE_SENDS_PER_MINUTE ?? 30,
    siteKey: provider === "altcha" ? undefined : keys[provider].siteKey,
    secretKey: provider === "altcha" ? undefined : keys[provider].secretKey,
    /** Hostnames a Turnstile or hCaptcha token must have been solved on; empty: the request's own host. */
    hostnames: (raw.CAPTCHA_HOSTNAMES ?? "")
      .split(",")
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  };
}

function chooseStore(raw: z.infer<typeof rawEnvSchema>): StoreSettings {
  const timeoutMs = raw.STORE_TIMEOUT_MS ?? 1000;
  const throttleLog = {
    capacity: raw.THROTTLE_EVENT_CAPACITY ?? 100_000,
    phoneRetentionMs: (raw.THROTTLE_PHONE_RETENTION_HOURS ?? 168) * 3_600_000,
  };
  const upstash = raw.UPSTASH_REDIS_REST_URL || raw.UPSTASH_REDIS_REST_TOKEN;
  if (upstash && raw.REDIS_URL) {
    throw new EnvError(
      "Set either UPSTASH_REDIS_REST_URL/_TOKEN (Upstash over HTTP) or REDIS_URL (Redis over TCP), not both.",
    );
  }
  if (upstash) {
    if (!raw.UPSTASH_REDIS_REST_URL || !raw.UPSTASH_REDIS_REST_TOKEN) {
      throw new EnvError(
        "Upstash needs both UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (Upstash console → REST API).",
      );
    }
    return {
      kind: "upstash",
      throttleLog,
      url: raw.UPSTASH_REDIS_REST_URL,
      token: raw.UPSTASH_REDIS_REST_TOKEN,
      timeoutMs,
      keyPrefix: raw.STORE_KEY_PREFIX,
    };
  }
  if (raw.REDIS_URL)
    return { kind: "redis", url: raw.REDIS_URL, timeoutMs, keyPrefix: raw.STORE_KEY_PREFIX, throttleLog };
  return { kind: "memory", throttleLog };
}

function chooseDefaultOtpProvider(apiKey: string | undefined, isProduction: boolean): "sandbox" | "8x8" {
  if (apiKey) return "8x8";
  if (!isProduction) return "sandbox";
  throw new EnvError(
    "OTP_PROVIDER is not set: in production set EIGHT_BY_EIGHT_API_KEY and EIGHT_BY_EIGHT_SUBACCOUNT_ID to send real codes, " +
      "or OTP_PROVIDER=sandbox to run the demo sandbox (no SMS is sent, and every page says so).",
  );
}

export class EnvError extends Error {
  override name = "EnvError";
}

let cached: Env | undefined;

/** The validated environment; throws {@link EnvError} naming the first bad setting. */
export function getEnv(): Env {
  cached ??= buildEnv(process.env);
  return cached;
}

/** For tests: validate an arbitrary environment without touching the cached one. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  return buildEnv(source);
}
