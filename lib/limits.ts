import "server-only";
import type { IpRateLimitKeys } from "./client-ip";
import type { LimitName } from "./config";
import { getEnv } from "./env";
import { AppError } from "./errors";
import { getBackend, type RateLimiter, type StoreBackend } from "./store";

/** What a send is limited by. Every field is already validated and canonical. */
export type SendSubject = {
  /** This browser signed in with `phone` before: it may use the number's reserve. */
  knownDevice: boolean;
  /** An operator put the number (or a prefix of it) on the safe list: its own limits do not apply. */
  safeListed: boolean;
  /** The number's growing resend delay (lib/resend-cooldown.ts), checked before its budgets. */
  checkCooldown: () => Promise<void>;
  ipKeys: IpRateLimitKeys;
  /** E.164. */
  phone: string;
  /** E.164 without its last four digits: numbers handed out in blocks share it. */
  prefix: string;
  country: string | null;
};

/**
 * The order limits are checked in: the sender's own budgets first, so a request refused for its
 * address never spends the victim number's budget; the global circuit breakers last.
 */
const sendLimitOrder: {
  name: LimitName | "cooldown";
  identifier: (subject: SendSubject) => string | null;
  /** Limits an attacker can spend on a victim's number: a known device may fall back on the reserve. */
  reserve?: boolean;
}[] = [
  { name: "send.ip", identifier: (subject) => subject.ipKeys.address },
  { name: "send.subnet", identifier: (subject) => subject.ipKeys.aggregate },
  { name: "cooldown", identifier: (subject) => subject.phone, reserve: true },
  { name: "send.phone", identifier: (subject) => subject.phone, reserve: true },
  { name: "send.phone.day", identifier: (subject) => subject.phone, reserve: true },
  { name: "send.prefix", identifier: (subject) => subject.prefix, reserve: true },
  { name: "send.country", identifier: (subject) => subject.country },
  { name: "send.global.hour", identifier: () => "all" },
  { name: "send.global.day", identifier: () => "all" },
];

const limitersByBackend = new WeakMap<StoreBackend, Map<LimitName, RateLimiter>>();

function limiterFor(name: LimitName): RateLimiter {
  const backend = getBackend();
  let limiters = limitersByBackend.get(backend);
  if (!limiters) {
    limiters = new Map();
    limitersByBackend.set(backend, limiters);
  }
  let limiter = limiters.get(name);
  if (!limiter) {
    limiter = backend.createRateLimiter({ name, ...getEnv().limits[name] });
    limiters.set(name, limiter);
  }
  return limiter;
}

/**
 * Counts one hit against limit `name` for `identifier`; over the limit it throws
 * `429 rate_limited` with `Retry-After`. The response never says which limit fired (that would
 * tell an attacker which dimension to rotate); the throttle event does. A store failure throws
 * StoreUnavailableError, which callers turn into 503.
 */
export async function enforceLimit(
  name: LimitName,
  identifier: string,
  message = "Too many requests. Please wait a while and try again.",
): Promise<void> {
  const decision = await limiterFor(name).limit(identifier);
  if (!decision.success) {
    throw new AppError("rate_limited", message, {
      retryAfterSeconds: Math.max(1, (decision.resetAt - Date.now()) / 1000),
      rule: `limit.${name}`,
    });
  }
}

/** Forgets every hit of `identifier` under limit `name` (a verified code clears its failures). */
export async function resetLimit(name: LimitName, identifier: string): Promise<void> {
  await limiterFor(name).reset(identifier);
}

/**
 * Counts this send against every send limit in order, stopping at the first that refuses. When a
 * number's own budget is spent (perhaps by an attacker), a browser that signed in with it before
 * draws on the number's small reserve instead (see lib/known-device.ts).
 */
export async function enforceSendLimits(subject: SendSubject): Promise<void> {
  let usingReserve = false;
  for (const { name, identifier, reserve } of sendLimitOrder) {
    const id = identifier(subject);
    if (id === null || ((usingReserve || subject.safeListed) && reserve)) continue;
    try {
      if (name === "cooldown") await subject.checkCooldown();
      else await enforceLimit(name, id, "Too many code requests. Please wait a while and try again.");
    } catch (error) {
      if (!(reserve && subject.knownDevice && error instanceof AppError)) throw error;
      await enforceLimit("send.phone.reserve", subject.phone);
      usingReserve = true;
    }
  }
}

/** E.164 without its last four digits. */
export function numberPrefix(e164: string): string {
  return e164.slice(0, -4);
}
