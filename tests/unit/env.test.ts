import { describe, expect, it } from "vitest";
import { config, type Setting } from "@/lib/config";
import { parseEnv } from "@/lib/env";

/** The settings production cannot start without (besides the 8x8 choice). */
const production = {
  NODE_ENV: "production",
  AUTH_SECRET: "x".repeat(32),
  AUTH_TRUST_HOST: "true",
  CLIENT_IP_PRESET: "one-proxy",
} as const;

/** The message of the EnvError that `source` fails with. */
function failureOf(source: Record<string, string | undefined>): string {
  try {
    parseEnv(source);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the environment to be refused");
}

describe("environment", () => {
  it("runs a fresh clone in development on the sandbox with no settings", () => {
    const env = parseEnv({ NODE_ENV: "development" });
    expect(env.otpProvider).toBe("sandbox");
    expect(env.sandboxInbox).toBe("all");
    expect(env.otp).toEqual({
      brand: "OTP Shield",
      codeLength: 6,
      codeValiditySeconds: 300,
      resendIntervalSeconds: 30,
    });
  });

  it("never turns the sandbox on silently in production", () => {
    expect(() => parseEnv({ ...production })).toThrow(/OTP_PROVIDER is not set/);
    const demo = parseEnv({ ...production, OTP_PROVIDER: "sandbox" });
    expect(demo.otpProvider).toBe("sandbox");
    expect(demo.sandboxInbox).toBe("own");
  });

  it("names the missing setting when production lacks AUTH_SECRET or 8x8 credentials", () => {
    expect(() => parseEnv({ NODE_ENV: "production", OTP_PROVIDER: "sandbox" })).toThrow(
      /AUTH_SECRET is required/,
    );
    expect(() =>
      parseEnv({ NODE_ENV: "development", OTP_PROVIDER: "8x8", EIGHT_BY_EIGHT_API_KEY: "k" }),
    ).toThrow(/EIGHT_BY_EIGHT_SUBACCOUNT_ID/);
  });

  it("uses 8x8 when a key is configured, in the chosen region", () => {
    const env = parseEnv({
      ...production,
      EIGHT_BY_EIGHT_API_KEY: "key",
      EIGHT_BY_EIGHT_SUBACCOUNT_ID: "acme_hq",
      EIGHT_BY_EIGHT_REGION: "europe",
    });
    expect(env.otpProvider).toBe("8x8");
    expect(env.eightByEight.urls.verify).toBe("https://verify.8x8.uk");
  });

  it("stops production without a client-IP choice and validates admin numbers", () => {
    expect(() => parseEnv({ ...production, CLIENT_IP_PRESET: undefined, OTP_PROVIDER: "sandbox" })).toThrow(
      /Set CLIENT_IP_PRESET/,
    );
    expect(parseEnv({ ADMIN_PHONE_NUMBERS: "+6589990001, +14155550123" }).adminPhoneNumbers).toEqual([
      "+6589990001",
      "+14155550123",
    ]);
    expect(() => parseEnv({ ADMIN_PHONE_NUMBERS: "8999 0001" })).toThrow(/not an E.164 number/);
  });

  it("validates each configurable value of lib/config.ts within its range, defaulting to the config's value", () => {
    const configurable = Object.values(config).flatMap((entries) =>
      Object.values(entries as Record<string, Setting>).filter((setting) => setting.env),
    );
    // A Redis store, so that the store's own settings are in use (parsing does not connect).
    const base = { REDIS_URL: "redis://127.0.0.1:6379" };
    const defaults = parseEnv(base);
    for (const { value, env } of configurable) {
      const { name, min, max } = env!;
      const range = new RegExp(`${name}:? must be a whole number from ${min} to ${max}`);
      expect(failureOf({ ...base, [name]: String(max + 1) }), name).toMatch(range);
      expect(failureOf({ ...base, [name]: String(min - 1) }), name).toMatch(range);
      // Setting the config's value by hand changes nothing: it is the default.
      expect(parseEnv({ ...base, [name]: String(value) }), name).toEqual(defaults);
      expect(parseEnv({ ...base, [name]: String(value === min ? max : min) }), name).not.toEqual(defaults);
    }
  });

  it("rejects out-of-range numbers with the allowed range", () => {
    expect(() => parseEnv({ OTP_CODE_VALIDITY_SECONDS: "10" })).toThrow(
      /OTP_CODE_VALIDITY_SECONDS: must be a whole number from 30 to 7200/,
    );
  });

  it("allows admins on the sandbox in production only with the passkey second factor", () => {
    const demoAdmins = { ...production, OTP_PROVIDER: "sandbox", ADMIN_PHONE_NUMBERS: "+6589990001" };
    const message = failureOf({ ...demoAdmins, ADMIN_REQUIRE_PASSKEY: "false" });
    expect(message).toMatch(/ADMIN_PHONE_NUMBERS needs ADMIN_REQUIRE_PASSKEY=true when OTP_PROVIDER=sandbox/);
    for (const inbox of ["own", "all"]) {
      expect(() => parseEnv({ ...demoAdmins, SANDBOX_INBOX: inbox, ADMIN_REQUIRE_PASSKEY: "false" })).toThrow(
        /ADMIN_PHONE_NUMBERS/,
      );
    }
    // The default in production: a passkey enrolled with an operator's link is the admin factor.
    const demo = parseEnv(demoAdmins);
    expect(demo.adminPhoneNumbers).toEqual(["+6589990001"]);
    expect(demo.adminRequirePasskey).toBe(true);
    expect(parseEnv({ ...production, OTP_PROVIDER: "sandbox" }).adminPhoneNumbers).toEqual([]);
    const real = { ...production, EIGHT_BY_EIGHT_API_KEY: "key", EIGHT_BY_EIGHT_SUBACCOUNT_ID: "acme_hq" };
    expect(parseEnv({ ...real, ADMIN_PHONE_NUMBERS: "+6589990001" }).adminPhoneNumbers).toEqual([
      "+6589990001",
    ]);
    // With real SMS an operator may choose codes alone.
    expect(parseEnv({ ...real, ADMIN_REQUIRE_PASSKEY: "false" }).adminRequirePasskey).toBe(false);
    // Development keeps admins on the sandbox, codes alone: nobody else can reach a developer's machine.
    const development = parseEnv({ ADMIN_PHONE_NUMBERS: "+6589990001" });
    expect(development.adminPhoneNumbers).toEqual(["+6589990001"]);
    expect(development.adminRequirePasskey).toBe(false);
  });

  it("refuses the public development secret and short secrets in production", () => {
    const demo = { ...production, OTP_PROVIDER: "sandbox" };
    expect(
      failureOf({ ...demo, AUTH_SECRET: "development-only-secret-do-not-deploy-0123456789abcdef" }),
    ).toMatch(/AUTH_SECRET must be a secret of your own/);
    expect(failureOf({ ...demo, AUTH_SECRET: "short" })).toMatch(/at least 32 characters/);
  });

  it("refuses production without AUTH_URL or AUTH_TRUST_HOST, unless the host platform is one Auth.js trusts", () => {
    const demo = { ...production, OTP_PROVIDER: "sandbox", AUTH_TRUST_HOST: undefined };
    expect(failureOf(demo)).toMatch(/Set AUTH_URL .* or AUTH_TRUST_HOST=true/);
    expect(failureOf({ ...demo, AUTH_TRUST_HOST: "false" })).toMatch(/AUTH_TRUST_HOST=true/);
    expect(failureOf({ ...demo, AUTH_URL: "not a url" })).toMatch(/AUTH_URL: must be the app's public URL/);
    expect(parseEnv({ ...demo, AUTH_URL: "https://otp.example.com" }).otpProvider).toBe("sandbox");
    expect(parseEnv({ ...demo, VERCEL: "1" }).otpProvider).toBe("sandbox");
    expect(parseEnv({ NODE_ENV: "development" }).otpProvider).toBe("sandbox");
  });

  it("reports every startup problem in one message", () => {
    const message = failureOf({
      NODE_ENV: "production",
      OTP_PROVIDER: "sandbox",
      ADMIN_PHONE_NUMBERS: "+6589990001",
      ADMIN_REQUIRE_PASSKEY: "false",
      OTP_CODE_LENGTH: "99",
      RATE_LIMITS: "nonsense",
    });
    expect(message).toMatch(/6 settings need fixing/);
    for (const expected of [
      /OTP_CODE_LENGTH: must be a whole number from 4 to 10/,
      /AUTH_SECRET is required in production/,
      /Set AUTH_URL/,
      /ADMIN_PHONE_NUMBERS needs ADMIN_REQUIRE_PASSKEY=true/,
      /Set CLIENT_IP_PRESET/,
      /RATE_LIMITS/,
    ]) {
      expect(message).toMatch(expected);
    }
    // A setting invalid in itself is reported once, not again by the checks that combine it.
    const once = failureOf({
      ...production,
      AUTH_URL: "nope",
      AUTH_TRUST_HOST: undefined,
      OTP_PROVIDER: "sandbox",
    });
    expect(once).toMatch(/^Invalid environment \(1 setting needs fixing\)/);
    expect(once).not.toMatch(/Set AUTH_URL/);
  });

  it("sends 8x8 calls to EIGHT_BY_EIGHT_BASE_URL only over https or to loopback", () => {
    const real = { ...production, EIGHT_BY_EIGHT_API_KEY: "key", EIGHT_BY_EIGHT_SUBACCOUNT_ID: "acme_hq" };
    expect(parseEnv({ ...real, EIGHT_BY_EIGHT_BASE_URL: "http://127.0.0.1:4303" }).eightByEight.urls).toEqual(
      {
        verify: "http://127.0.0.1:4303",
        lookup: "http://127.0.0.1:4303",
      },
    );
    expect(
      parseEnv({ ...real, EIGHT_BY_EIGHT_BASE_URL: "https://gw.example.com" }).eightByEight.urls.verify,
    ).toBe("https://gw.example.com");
    for (const url of ["http://gw.example.com", "http://127.0.0.1.example.com"]) {
      expect(failureOf({ ...real, EIGHT_BY_EIGHT_BASE_URL: url })).toMatch(
        /EIGHT_BY_EIGHT_BASE_URL: must be https/,
      );
    }
  });
});
