import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";

const production = {
  NODE_ENV: "production",
  AUTH_SECRET: "x".repeat(32),
  AUTH_TRUST_HOST: "true",
  CLIENT_IP_PRESET: "one-proxy",
  OTP_PROVIDER: "sandbox",
} as const;
const secret = "s".repeat(32);

function failureOf(source: Record<string, string | undefined>): string {
  try {
    parseEnv(source);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the environment to be refused");
}

describe("alert settings", () => {
  it("record alerts without sending them when no webhook is set, with a queue of 100 and 5 attempts", () => {
    expect(parseEnv({ NODE_ENV: "development" }).alerts).toEqual({
      webhook: null,
      queueCapacity: 100,
      maxAttempts: 5,
    });
  });

  it("post over https in production, with the secret that signs them", () => {
    const env = parseEnv({
      ...production,
      ALERT_WEBHOOK_URL: "https://hooks.example.com/otp",
      ALERT_WEBHOOK_SECRET: secret,
      ALERT_QUEUE_CAPACITY: "20",
      ALERT_MAX_ATTEMPTS: "3",
    });
    expect(env.alerts).toEqual({
      webhook: { url: "https://hooks.example.com/otp", secret },
      queueCapacity: 20,
      maxAttempts: 3,
    });
  });

  it("refuse plain http in production, even to a loopback address", () => {
    for (const url of ["http://hooks.example.com/otp", "http://127.0.0.1:4000/otp"]) {
      expect(failureOf({ ...production, ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_SECRET: secret })).toMatch(
        /ALERT_WEBHOOK_URL must be https in production/,
      );
    }
  });

  it("allow plain http to a loopback receiver outside production, and nowhere else", () => {
    const env = parseEnv({
      NODE_ENV: "test",
      ALERT_WEBHOOK_URL: "http://127.0.0.1:4000/otp",
      ALERT_WEBHOOK_SECRET: secret,
    });
    expect(env.alerts.webhook?.url).toBe("http://127.0.0.1:4000/otp");
    expect(
      failureOf({
        NODE_ENV: "development",
        ALERT_WEBHOOK_URL: "http://127.0.0.1.example.com/otp",
        ALERT_WEBHOOK_SECRET: secret,
      }),
    ).toMatch(/plain http only to a loopback address/);
  });

  it("require a secret of at least 32 characters with the URL", () => {
    const url = "https://hooks.example.com/otp";
    expect(failureOf({ ...production, ALERT_WEBHOOK_URL: url })).toMatch(
      /ALERT_WEBHOOK_SECRET is required with ALERT_WEBHOOK_URL/,
    );
    expect(failureOf({ ...production, ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_SECRET: "short" })).toMatch(
      /ALERT_WEBHOOK_SECRET must be at least 32 characters/,
    );
  });

  it("name a malformed URL and out-of-range queue settings", () => {
    const message = failureOf({
      NODE_ENV: "development",
      ALERT_WEBHOOK_URL: "hooks.example.com",
      ALERT_QUEUE_CAPACITY: "0",
      ALERT_MAX_ATTEMPTS: "11",
    });
    expect(message).toMatch(/ALERT_WEBHOOK_URL: must be the URL alerts are posted to/);
    expect(message).toMatch(/ALERT_QUEUE_CAPACITY: must be a whole number from 1 to 10000/);
    expect(message).toMatch(/ALERT_MAX_ATTEMPTS: must be a whole number from 1 to 10/);
  });
});
