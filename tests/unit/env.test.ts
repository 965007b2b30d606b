import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";

/** The settings production cannot start without (besides the 8x8 choice). */
const production = {
  NODE_ENV: "production",
  AUTH_SECRET: "x".repeat(32),
  CLIENT_IP_PRESET: "one-proxy",
} as const;

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

  it("rejects out-of-range numbers with the allowed range", () => {
    expect(() => parseEnv({ OTP_CODE_VALIDITY_SECONDS: "10" })).toThrow(
      /OTP_CODE_VALIDITY_SECONDS: must be a whole number from 30 to 7200/,
    );
  });
});
