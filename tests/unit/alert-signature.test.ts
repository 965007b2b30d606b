import { describe, expect, it } from "vitest";
import { retryDelayMs } from "@/lib/alerts/delivery";
import { signPayload, verifySignature } from "@/lib/alerts/signature";

const secret = "unit-test-alert-secret-0123456789abcdef";
const body = JSON.stringify({ id: "a1", kind: "attack_mode", state: "started" });
const now = 1_800_000_000;

describe("alert signatures", () => {
  it("verify for the same secret, body and a timestamp within five minutes", () => {
    expect(verifySignature(secret, body, signPayload(secret, body, now), now)).toBe(true);
    expect(verifySignature(secret, body, signPayload(secret, body, now - 300), now)).toBe(true);
  });

  it("fail for another body, another secret, a replay older than five minutes or a garbled header", () => {
    const header = signPayload(secret, body, now);
    expect(verifySignature(secret, body.replace("started", "ended"), header, now)).toBe(false);
    expect(verifySignature(`${secret}x`, body, header, now)).toBe(false);
    expect(verifySignature(secret, body, signPayload(secret, body, now - 301), now)).toBe(false);
    expect(verifySignature(secret, body, header.replace(/v1=\w{4}/, "v1=0000"), now)).toBe(false);
    expect(verifySignature(secret, body, "v1=abc", now)).toBe(false);
    expect(verifySignature(secret, body, null, now)).toBe(false);
  });

  it("sign the timestamp with the body, so a new timestamp needs the secret", () => {
    const header = signPayload(secret, body, now - 3600);
    const moved = header.replace(`t=${now - 3600}`, `t=${now}`);
    expect(verifySignature(secret, body, moved, now)).toBe(false);
  });
});

describe("retry delays", () => {
  const timing = {
    maxAttempts: 5,
    timeoutMs: 5000,
    backoffBaseMs: 1000,
    backoffMaxMs: 8000,
    retryAfterCapMs: 60_000,
  };

  it("double after each attempt, half fixed and half random, up to the maximum", () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(attempt, undefined, timing, () => 0))).toEqual([
      500, 1000, 2000, 4000, 4000,
    ]);
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(attempt, undefined, timing, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ]);
  });

  it("wait at least a receiver's Retry-After, but never longer than the cap", () => {
    expect(retryDelayMs(1, 30_000, timing, () => 0)).toBe(30_000);
    expect(retryDelayMs(1, 3_600_000, timing, () => 0)).toBe(60_000);
    expect(retryDelayMs(4, 100, timing, () => 1)).toBe(8000);
  });
});
