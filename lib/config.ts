/**
 * Every rate limit, with its documented default. The README's "Limits" table is checked against
 * this object by a test, so the two cannot drift. Override any of them with
 * `RATE_LIMITS="send.ip=10/15m,send.phone=5/1h"` (count / window in s, m, h or d).
 *
 * Each limit is its own bucket: an address and a number are never combined into one key, so an
 * attacker rotating numbers still exhausts their address, and one rotating addresses still
 * exhausts the number.
 */
export const defaultLimits = {
  "send.ip": {
    limit: 5,
    windowSeconds: 15 * 60,
    scope: "Codes sent to any numbers from one client address (IPv6: one /64)",
  },
  "send.subnet": {
    limit: 20,
    windowSeconds: 60 * 60,
    scope: "Codes sent from one /24 (IPv4) or /48 (IPv6) network",
  },
  "send.phone": { limit: 3, windowSeconds: 15 * 60, scope: "Codes sent to one phone number" },
  "send.phone.day": {
    limit: 10,
    windowSeconds: 24 * 60 * 60,
    scope: "Codes sent to one phone number per day",
  },
  "send.prefix": {
    limit: 10,
    windowSeconds: 60 * 60,
    scope: "Codes sent to one number prefix (E.164 without its last 4 digits)",
  },
  "send.country": { limit: 500, windowSeconds: 60 * 60, scope: "Codes sent to one destination country" },
  "send.global.hour": { limit: 2000, windowSeconds: 60 * 60, scope: "Codes sent in total (circuit breaker)" },
  "send.global.day": {
    limit: 20000,
    windowSeconds: 24 * 60 * 60,
    scope: "Codes sent in total per day (circuit breaker)",
  },
  "send.phone.reserve": {
    limit: 3,
    windowSeconds: 24 * 60 * 60,
    scope: "Extra codes to a number for a browser that signed in with it before, once its budget is spent",
  },
  "verify.pending": {
    limit: 5,
    windowSeconds: 60 * 60,
    scope: "Code checks for one pending verification (as 8x8)",
  },
  "verify.phone": {
    limit: 10,
    windowSeconds: 60 * 60,
    scope: "Code checks for one number, across resends; a success resets it",
  },
  "verify.phone.total": {
    limit: 100,
    windowSeconds: 7 * 24 * 60 * 60,
    scope: "Consecutive code checks for one number without a success (NIST SP 800-63B cap)",
  },
  "verify.phone.reserve": {
    limit: 10,
    windowSeconds: 60 * 60,
    scope:
      "Code checks for a browser that signed in with the number before, once the number's budgets are spent",
  },
  "verify.ip": { limit: 30, windowSeconds: 60 * 60, scope: "Code checks from one client address" },
  "captcha.challenge.ip": {
    limit: 30,
    windowSeconds: 60,
    scope: "CAPTCHA challenges handed to one client address (IPv6: one /64)",
  },
  "captcha.challenge.subnet": {
    limit: 30,
    windowSeconds: 60,
    scope: "CAPTCHA challenges handed to one /24 (IPv4) or /48 (IPv6) network",
  },
  "captcha.challenge.global": {
    limit: 600,
    windowSeconds: 60,
    scope: "CAPTCHA challenges handed out in total (circuit breaker)",
  },
} as const;

export type LimitName = keyof typeof defaultLimits;

/**
 * The growing delays, one per number (8x8's "exponential back-off between repeated OTP requests"):
 * after `freeCount` hits each further hit waits `base × 2^(hits − freeCount)`, at most `max`, and
 * the count is forgotten `memory` after the last hit or when the number signs in.
 */
export const growingDelays = {
  /** Between codes to one number: 30 s, 60 s, 120 s … an hour (base: OTP_RESEND_INTERVAL_SECONDS). */
  resend: { freeCount: 1, maxSeconds: 60 * 60, memorySeconds: 24 * 60 * 60 },
  /** Between code checks for one number after five (one 8x8 session's worth): 1 s, 2 s … a minute. */
  check: { baseSeconds: 1, freeCount: 5, maxSeconds: 60, memorySeconds: 24 * 60 * 60 },
} as const;
export type LimitSetting = { limit: number; windowSeconds: number };
export type Limits = Record<LimitName, LimitSetting>;

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `RATE_LIMITS`; throws with the offending entry on any mistake. */
export function parseLimitOverrides(text: string | undefined): Limits {
  const limits = Object.fromEntries(
    Object.entries(defaultLimits).map(([name, { limit, windowSeconds }]) => [name, { limit, windowSeconds }]),
  ) as Limits;
  for (const entry of (text ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([a-z.]+)=(\d{1,7})\/(\d{1,5})([smhd])$/.exec(entry);
    if (!match || !(match[1]! in limits)) {
      throw new Error(
        `RATE_LIMITS entry "${entry}" must look like send.ip=5/15m, with one of: ${Object.keys(defaultLimits).join(", ")}`,
      );
    }
    const windowSeconds = Number(match[3]) * units[match[4]!]!;
    if (Number(match[2]) < 1 || windowSeconds < 1 || windowSeconds > 7 * 86400) {
      throw new Error(`RATE_LIMITS entry "${entry}" needs a count of at least 1 and a window of 1 s to 7 d`);
    }
    limits[match[1] as LimitName] = { limit: Number(match[2]), windowSeconds };
  }
  return limits;
}

/** "15 min", "1 h", "1 day": how the README and the admin policy view write a window. */
export function formatWindow(seconds: number): string {
  if (seconds % 86400 === 0) return seconds === 86400 ? "1 day" : `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
