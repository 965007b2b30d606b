import "server-only";
import { z } from "zod";
import { ClientIpSettingsError, parseClientIpSettings } from "@/lib/client-ip/settings";
import {
  config,
  defaultAllowedCountries,
  exampleSmsPricesUsd,
  parseCountryNumbers,
  parseLimitOverrides,
  parseSpendBudgets,
  type Setting,
} from "@/lib/config";
import { isRuleName, type RuleName } from "@/lib/http/refusals";
import { isKnownCountry, parsePhone } from "@/lib/phone";

/**
 * The one place that reads `process.env`. Every setting is validated once, typed, and given its
 * documented default in the schema below (numbers come from lib/config.ts, with their ranges);
 * `.env.example` and the README table list the same names. It imports only the config and pure
 * parsers (phone numbers, client-IP settings), never a module that reads the environment itself.
 *
 * Security decisions made here:
 * - In production the 8x8 sandbox never turns on by itself: `OTP_PROVIDER=sandbox` must be set
 *   (the hosted demo), and then every page shows a "Sandbox" banner.
 * - In production `AUTH_SECRET` is required and the development secret is refused; development
 *   gets a fixed, publicly known secret so that `npm run dev` works on a fresh clone.
 * - In production Auth.js must be told which host to trust (`AUTH_URL` or `AUTH_TRUST_HOST`).
 * - In production admins need a passkey as a second factor unless ADMIN_REQUIRE_PASSKEY=false; with the
 *   sandbox (which shows codes to visitors) that second factor cannot be turned off.
 * - "Production" is decided by the build (see {@link getEnv}), never by a runtime NODE_ENV.
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

/** A whole number within the config entry's range; its value when unset or blank. */
const integerSetting = ({ value: fallback, env }: Setting & { env: NonNullable<Setting["env"]> }) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < env.min || parsed > env.max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number from ${env.min} to ${env.max}` });
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
  EIGHT_BY_EIGHT_TIMEOUT_MS: integerSetting(config.eightByEight.timeout),
  EIGHT_BY_EIGHT_BASE_URL: optionalString.pipe(
    z
      .url("must be a URL such as https://gateway.example.com")
      .refine(
        (value) =>
          /^https:/.test(value) || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(`${value}/`),
        "must be https (plain http only to a loopback address): the API key travels with every request",
      )
      .optional(),
  ),
  AUTH_SECRET: optionalString,
  AUTH_URL: optionalString.pipe(z.url("must be the app's public URL, e.g. https://example.com").optional()),
  AUTH_TRUST_HOST: booleanString,
  SANDBOX_INBOX: z.enum(["all", "own"]).optional(),
  OTP_BRAND: z.string().trim().max(30, "must be at most 30 characters (8x8's limit)").default("OTP Shield"),
  OTP_CODE_LENGTH: integerSetting(config.otp.codeLength),
  OTP_CODE_VALIDITY_SECONDS: integerSetting(config.otp.codeValidity),
  OTP_RESEND_INTERVAL_SECONDS: integerSetting(config.otp.resendInterval),
  CLIENT_IP_PRESET: z.string().optional(),
  CLIENT_IP_STRATEGY: z.string().optional(),
  CLIENT_IP_HEADER: z.string().optional(),
  CLIENT_IP_TRUSTED_COUNT: z.string().optional(),
  CLIENT_IP_TRUSTED_RANGES: z.string().optional(),
  CLIENT_IP_IPV6_PREFIX: z.string().optional(),
  ADMIN_SESSION_MINUTES: integerSetting(config.admin.freshness),
  ADMIN_REQUIRE_PASSKEY: booleanString,
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
  STORE_TIMEOUT_MS: integerSetting(config.store.timeout),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
      .optional(),
  ),
  DATA_DIR: optionalString,
  DATABASE_TIMEOUT_MS: integerSetting(config.database.timeout),
  THROTTLE_EVENT_CAPACITY: integerSetting(config.events.capacity),
  THROTTLE_PHONE_RETENTION_HOURS: integerSetting(config.events.phoneRetention),
  STORE_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]{0,40}$/, "must be at most 40 letters, digits or _ : . -")
    .default("otp:"),
  RATE_LIMITS: z.string().optional(),
  FRAUD_RANGE_FLOOR: integerSetting(config.fraud.rangeFloor),
  FRAUD_COUNTRY_FLOOR: integerSetting(config.fraud.countryFloor),
  FRAUD_RANGE_DAY_FLOOR: integerSetting(config.fraud.rangeDayFloor),
  FRAUD_COUNTRY_DAY_FLOOR: integerSetting(config.fraud.countryDayFloor),
  FRAUD_RANGE_SLACK: integerSetting(config.fraud.rangeSlack),
  FRAUD_COUNTRY_SLACK: integerSetting(config.fraud.countrySlack),
  NUMBER_RANGE_DIGITS: z.string().optional(),
  SMS_PRICES_USD: z.string().optional(),
  SPEND_BUDGETS_USD: z.string().optional(),
  SHADOW_RULES: z.string().optional(),
  ALLOWED_COUNTRIES: z.string().optional(),
  DENIED_COUNTRIES: z.string().optional(),
  ALLOW_VOIP: booleanString.transform((value) => value ?? false),
  CAPTCHA_PROVIDER: z.enum(["altcha", "turnstile", "hcaptcha"]).default("altcha"),
  ALTCHA_COST: integerSetting(config.captcha.altchaCost),
  ALTCHA_MAX_COUNTER: integerSetting(config.captcha.altchaMaxCounter),
  ALTCHA_ATTACK_COST_MULTIPLIER: integerSetting(config.captcha.attackCostMultiplier),
  ATTACK_MODE_SENDS_PER_MINUTE: integerSetting(config.captcha.attackModeSendsPerMinute),
  TURNSTILE_SITE_KEY: optionalString,
  TURNSTILE_SECRET_KEY: optionalString,
  HCAPTCHA_SITE_KEY: optionalString,
  HCAPTCHA_SECRET_KEY: optionalString,
  CAPTCHA_HOSTNAMES: optionalString,
  DEFAULT_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, "must be an ISO 3166 alpha-2 code such as US or SG")
    .default("US"),
  ALERT_WEBHOOK_URL: optionalString.pipe(
    z.url("must be the URL alerts are posted to, e.g. https://hooks.example.com/otp-shield").optional(),
  ),
  ALERT_WEBHOOK_SECRET: optionalString,
  ALERT_QUEUE_CAPACITY: integerSetting(config.alerts.queueCapacity),
  ALERT_MAX_ATTEMPTS: integerSetting(config.alerts.maxAttempts),
  NUMBER_LOOKUP_COUNTRIES: z.string().optional(),
  NUMBER_LOOKUP_TYPE: optionalString.pipe(z.enum(["format", "operator", "live"]).optional()),
  NUMBER_LOOKUP_PRICE_MICRO_USD: integerSetting(config.numberLookup.price),
});

/** A development-only signing secret, so that a fresh clone runs without configuration. */
const DEVELOPMENT_AUTH_SECRET = "development-only-secret-do-not-deploy-0123456789abcdef";

export type Env = ReturnType<typeof buildEnv>;

/** One invalid or missing setting, with the names it concerns (so that each is reported once). */
type Problem = { settings: string[]; message: string };

function buildEnv(source: Record<string, string | undefined>) {
  // Every problem is collected and reported in one message: fixing a deployment should take one
  // restart, not one per setting. A setting that fails its own validation is reported once, and
  // the checks that combine settings then see it as unset and skip what concerns it.
  const problems: Problem[] = [];
  let parsed = rawEnvSchema.safeParse(source);
  const invalid = new Set<string>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      invalid.add(name);
      problems.push({ settings: [name], message: `${issue.path.join(".")}: ${issue.message}` });
    }
    parsed = rawEnvSchema.safeParse(
      Object.fromEntries(Object.entries(source).filter(([name]) => !invalid.has(name))),
    );
  }
  if (!parsed.success) throw new EnvError(formatProblems(problems));
  const raw = parsed.data;
  const problem = (settings: string[], message: string) => {
    if (!settings.some((name) => invalid.has(name))) problems.push({ settings, message });
  };
  const attempt = <T>(settings: string[], fallback: T, read: () => T): T => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof EnvError || error instanceof ClientIpSettingsError)) throw error;
      problem(settings, error.message);
      return fallback;
    }
  };
  const isProduction = raw.NODE_ENV === "production";

  const otpProvider = attempt(["OTP_PROVIDER"], undefined, () =>
    chooseOtpProvider(raw.OTP_PROVIDER, raw.EIGHT_BY_EIGHT_API_KEY, isProduction),
  );
  if (otpProvider === "8x8") {
    const missing = ["EIGHT_BY_EIGHT_API_KEY", "EIGHT_BY_EIGHT_SUBACCOUNT_ID"].filter(
      (name) => !raw[name as "EIGHT_BY_EIGHT_API_KEY" | "EIGHT_BY_EIGHT_SUBACCOUNT_ID"],
    );
    if (missing.length > 0) {
      problem(missing, `OTP_PROVIDER=8x8 needs ${missing.join(" and ")} (from connect.8x8.com → API keys).`);
    }
  }

  if (isProduction) {
    if (!raw.AUTH_SECRET) {
      problem(
        ["AUTH_SECRET"],
        "AUTH_SECRET is required in production: generate one with `npx auth secret` or `openssl rand -base64 33`.",
      );
    } else if (raw.AUTH_SECRET === DEVELOPMENT_AUTH_SECRET || raw.AUTH_SECRET.length < 32) {
      problem(
        ["AUTH_SECRET"],
        "AUTH_SECRET must be a secret of your own, at least 32 characters (the development secret is public): " +
          "generate one with `npx auth secret` or `openssl rand -base64 33`.",
      );
    }
    // Auth.js trusts the request's Host header only when told to (or on Vercel and Cloudflare
    // Pages, which it detects). Without that, a verified code would end without a session cookie.
    if (!raw.AUTH_URL && !raw.AUTH_TRUST_HOST && !source.VERCEL && !source.CF_PAGES) {
      problem(
        ["AUTH_URL", "AUTH_TRUST_HOST"],
        "Set AUTH_URL to the app's public URL (e.g. https://example.com), or AUTH_TRUST_HOST=true when a proxy " +
          "you control sets the Host header: otherwise Auth.js refuses every sign-in (UntrustedHost).",
      );
    }
    // The sandbox shows codes to visitors (that is what a demo is for), so a code proves nothing
    // there: sandbox admins only with the passkey second factor, whose first passkey comes from an
    // enrollment link only the operator can make (lib/passkeys/enrollment.ts).
    if (
      otpProvider === "sandbox" &&
      raw.ADMIN_PHONE_NUMBERS.length > 0 &&
      raw.ADMIN_REQUIRE_PASSKEY === false
    ) {
      problem(
        ["ADMIN_PHONE_NUMBERS", "ADMIN_REQUIRE_PASSKEY"],
        "ADMIN_PHONE_NUMBERS needs ADMIN_REQUIRE_PASSKEY=true when OTP_PROVIDER=sandbox in production: the " +
          "sandbox shows every visitor the code for the number they type, so a code alone would make anyone an " +
          "admin. Keep the passkey second factor (enroll admins with `npm run admin:enroll`), or use OTP_PROVIDER=8x8.",
      );
    }
  }

  const clientIp = attempt(
    ["CLIENT_IP_PRESET", "CLIENT_IP_STRATEGY", "CLIENT_IP_HEADER", "CLIENT_IP_TRUSTED_COUNT"],
    undefined,
    () => parseClientIpSettings(raw, isProduction),
  );
  const limits = attempt(["RATE_LIMITS"], undefined, () => {
    try {
      return parseLimitOverrides(raw.RATE_LIMITS);
    } catch (error) {
      throw new EnvError((error as Error).message);
    }
  });
  const captcha = attempt(["CAPTCHA_PROVIDER"], undefined, () => chooseCaptcha(raw));
  const fraud = attempt(["NUMBER_RANGE_DIGITS", "SHADOW_RULES"], undefined, () => chooseFraud(raw));
  const spend = attempt(["SMS_PRICES_USD", "SPEND_BUDGETS_USD"], undefined, () => chooseSpend(raw));
  const allowedCountries = attempt(["ALLOWED_COUNTRIES"], undefined, () =>
    parseCountryList("ALLOWED_COUNTRIES", raw.ALLOWED_COUNTRIES),
  );
  const deniedCountries = attempt(["DENIED_COUNTRIES"], undefined, () =>
    parseCountryList("DENIED_COUNTRIES", raw.DENIED_COUNTRIES),
  );
  const lookupCountries = attempt(["NUMBER_LOOKUP_COUNTRIES"], undefined, () =>
    parseCountryList("NUMBER_LOOKUP_COUNTRIES", raw.NUMBER_LOOKUP_COUNTRIES),
  );
  const store = attempt(["REDIS_URL", "UPSTASH_REDIS_REST_URL"], undefined, () => chooseStore(raw));
  // Without DATABASE_URL, an embedded Postgres (PGlite) in DATA_DIR: no setup, one instance.
  const database = raw.DATABASE_URL
    ? { kind: "postgres" as const, url: raw.DATABASE_URL, timeoutMs: raw.DATABASE_TIMEOUT_MS }
    : { kind: "pglite" as const, dataDir: raw.DATA_DIR ?? ".data", timeoutMs: raw.DATABASE_TIMEOUT_MS };
  const alertWebhook = attempt(["ALERT_WEBHOOK_URL", "ALERT_WEBHOOK_SECRET"], undefined, () =>
    chooseAlertWebhook(raw, isProduction),
  );

  if (
    problems.length > 0 ||
    !otpProvider ||
    !clientIp ||
    !limits ||
    !captcha ||
    !store ||
    !alertWebhook ||
    !fraud ||
    !spend
  ) {
    throw new EnvError(formatProblems(problems));
  }
  const destinations = {
    allowedCountries: new Set<string>(allowedCountries ?? defaultAllowedCountries),
    deniedCountries: new Set<string>(deniedCountries ?? []),
    allowVoip: raw.ALLOW_VOIP,
  };

  return {
    isProduction,
    otpProvider,
    clientIp,
    limits,
    captcha,
    destinations,
    fraud,
    spend,
    store,
    database,
    throttleLog: {
      capacity: raw.THROTTLE_EVENT_CAPACITY,
      phoneRetentionMs: raw.THROTTLE_PHONE_RETENTION_HOURS * 3_600_000,
    },
    adminPhoneNumbers: raw.ADMIN_PHONE_NUMBERS,
    adminSessionMinutes: raw.ADMIN_SESSION_MINUTES,
    /** Admins must prove a passkey within the admin window (on by default in production). */
    adminRequirePasskey: raw.ADMIN_REQUIRE_PASSKEY ?? isProduction,
    eightByEight: {
      apiKey: raw.EIGHT_BY_EIGHT_API_KEY ?? "",
      subAccountId: raw.EIGHT_BY_EIGHT_SUBACCOUNT_ID ?? "sandbox_hq",
      urls: raw.EIGHT_BY_EIGHT_BASE_URL
        ? { verify: raw.EIGHT_BY_EIGHT_BASE_URL, lookup: raw.EIGHT_BY_EIGHT_BASE_URL }
        : eightByEightRegions[raw.EIGHT_BY_EIGHT_REGION],
      timeoutMs: raw.EIGHT_BY_EIGHT_TIMEOUT_MS,
    },
    authSecret: raw.AUTH_SECRET ?? DEVELOPMENT_AUTH_SECRET,
    /** The app's public URL (AUTH_URL), or null: then each request's own origin (lib/passkeys/relying-party.ts). */
    publicUrl: raw.AUTH_URL ?? null,
    // The sandbox's full inbox (and its fault controls) is for local development and tests; a
    // public demo shows each browser only the messages of its own pending verification.
    sandboxInbox: raw.SANDBOX_INBOX ?? (isProduction ? "own" : "all"),
    otp: {
      brand: raw.OTP_BRAND,
      codeLength: raw.OTP_CODE_LENGTH,
      codeValiditySeconds: raw.OTP_CODE_VALIDITY_SECONDS,
      resendIntervalSeconds: raw.OTP_RESEND_INTERVAL_SECONDS,
    },
    defaultCountry: raw.DEFAULT_COUNTRY,
    alerts: {
      /** null: alerts are recorded for the console ("not configured") but not sent. */
      webhook: alertWebhook.webhook,
      queueCapacity: raw.ALERT_QUEUE_CAPACITY,
      maxAttempts: raw.ALERT_MAX_ATTEMPTS,
    },
    /** When 8x8 Number Lookup is asked about a number (lib/defenses/number-lookup.ts). */
    numberLookup: {
      /** Countries whose "fixed line or mobile" numbers are looked up (none: never for that reason). */
      countries: new Set<string>(lookupCountries ?? []),
      type: raw.NUMBER_LOOKUP_TYPE ?? "format",
      priceMicroUsd: raw.NUMBER_LOOKUP_PRICE_MICRO_USD,
    },
  };
}

function formatProblems(problems: Problem[]): string {
  const count = problems.length === 1 ? "1 setting needs" : `${problems.length} settings need`;
  return `Invalid environment (${count} fixing):\n${problems.map(({ message }) => `  - ${message}`).join("\n")}`;
}

/** A comma-separated list of ISO alpha-2 codes, or undefined when unset. */
/** The fraud budgets' settings (lib/defenses/limits.ts). */
function chooseFraud(raw: z.infer<typeof rawEnvSchema>) {
  const rangeDigits = rethrow(() =>
    parseCountryNumbers("NUMBER_RANGE_DIGITS", raw.NUMBER_RANGE_DIGITS, { min: 1, max: 8, integer: true }),
  );
  const shadowRules = (raw.SHADOW_RULES ?? "")
    .split(",")
    .map((rule) => rule.trim())
    .filter(Boolean);
  const unknown = shadowRules.filter((rule) => !isRuleName(rule));
  if (unknown.length > 0) {
    throw new EnvError(
      `SHADOW_RULES names unknown rules: ${unknown.join(", ")} (see the README's Refusals table).`,
    );
  }
  return {
    rangeFloor: raw.FRAUD_RANGE_FLOOR,
    countryFloor: raw.FRAUD_COUNTRY_FLOOR,
    rangeDayFloor: raw.FRAUD_RANGE_DAY_FLOOR,
    countryDayFloor: raw.FRAUD_COUNTRY_DAY_FLOOR,
    rangeSlack: raw.FRAUD_RANGE_SLACK,
    countrySlack: raw.FRAUD_COUNTRY_SLACK,
    /** National digits of a number range, by country; others use `config.fraud.rangeDigits`. */
    rangeDigits,
    /** Rules that refuse nothing and record what they would have refused. */
    shadowRules: new Set<RuleName>(shadowRules as RuleName[]),
  };
}

/** The price table (in mills, 1/1000 USD) and the spend budgets. */
function chooseSpend(raw: z.infer<typeof rawEnvSchema>) {
  const prices = rethrow(() =>
    parseCountryNumbers("SMS_PRICES_USD", raw.SMS_PRICES_USD, { min: 0, max: 10 }),
  );
  const pricesMills = Object.fromEntries(
    Object.entries({ ...exampleSmsPricesUsd, ...prices }).map(([country, usd]) => [
      country,
      Math.round(usd * 1000),
    ]),
  );
  return { pricesMills, budgetsMills: rethrow(() => parseSpendBudgets(raw.SPEND_BUDGETS_USD)) };
}

function rethrow<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new EnvError((error as Error).message);
  }
}

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
      cost: raw.ALTCHA_COST,
      maxCounter: raw.ALTCHA_MAX_COUNTER,
      attackCostMultiplier: raw.ALTCHA_ATTACK_COST_MULTIPLIER,
    },
    attackModeSendsPerMinute: raw.ATTACK_MODE_SENDS_PER_MINUTE,
    siteKey: provider === "altcha" ? undefined : keys[provider].siteKey,
    secretKey: provider === "altcha" ? undefined : keys[provider].secretKey,
    /** Hostnames a Turnstile or hCaptcha token must have been solved on; empty: the request's own host. */
    hostnames: (raw.CAPTCHA_HOSTNAMES ?? "")
      .split(",")
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  };
}

/** Which store backend to build, and its settings (lib/store/create-backend.ts builds it). */
function chooseStore(raw: z.infer<typeof rawEnvSchema>) {
  const timeoutMs = raw.STORE_TIMEOUT_MS;
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
      kind: "upstash" as const,
      url: raw.UPSTASH_REDIS_REST_URL,
      token: raw.UPSTASH_REDIS_REST_TOKEN,
      timeoutMs,
      keyPrefix: raw.STORE_KEY_PREFIX,
    };
  }
  if (raw.REDIS_URL)
    return { kind: "redis" as const, url: raw.REDIS_URL, timeoutMs, keyPrefix: raw.STORE_KEY_PREFIX };
  return { kind: "memory" as const };
}

/**
 * The alert webhook. Its secret signs every delivery, so it is required with the URL and long
 * enough not to be guessed; production posts only over https (alerts name attacked number
 * ranges), development and tests also to http on a loopback address (a local receiver).
 */
function chooseAlertWebhook(
  raw: z.infer<typeof rawEnvSchema>,
  isProduction: boolean,
): { webhook: { url: string; secret: string } | null } {
  const url = raw.ALERT_WEBHOOK_URL;
  if (!url) return { webhook: null };
  const loopbackHttp = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(`${url}/`);
  if (!url.startsWith("https://") && !(loopbackHttp && !isProduction)) {
    throw new EnvError(
      isProduction
        ? "ALERT_WEBHOOK_URL must be https in production."
        : "ALERT_WEBHOOK_URL must be https (plain http only to a loopback address, outside production).",
    );
  }
  const secret = raw.ALERT_WEBHOOK_SECRET;
  if (!secret || secret.length < 32) {
    throw new EnvError(
      `ALERT_WEBHOOK_SECRET ${secret ? "must be at least 32 characters" : "is required with ALERT_WEBHOOK_URL"}: ` +
        "it signs every alert. Generate one with `openssl rand -hex 32`.",
    );
  }
  return { webhook: { url, secret } };
}

function chooseOtpProvider(
  chosen: "sandbox" | "8x8" | undefined,
  apiKey: string | undefined,
  isProduction: boolean,
): "sandbox" | "8x8" {
  if (chosen) return chosen;
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

/**
 * The validated environment; throws {@link EnvError} naming every bad setting.
 *
 * Production rules follow the build, not the shell: `next build` replaces the expression
 * `process.env.NODE_ENV` with "production" in the bundles, so a production build applies them
 * even when started with `NODE_ENV=test` (and `npm start` sets NODE_ENV=production for Next.js
 * itself, lib/node-server.mjs). `next dev` is "development"; Vitest sets "test".
 */
export function getEnv(): Env {
  cached ??= buildEnv({ ...process.env, NODE_ENV: process.env.NODE_ENV });
  return cached;
}

/** For tests: validate an arbitrary environment without touching the cached one. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  return buildEnv(source);
}
