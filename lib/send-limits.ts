import "server-only";
import type { IpRateLimitKeys } from "./client-ip";
import type { LimitName } from "./config";
import { getEnv } from "./env";
import { AppError } from "./errors";
import { getBackend, type RateLimiter, type StoreBackend } from "./store";

/** What a send is limited by. Every field is already validated and canonical. */
export type SendSubject = {
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
const sendLimitOrder: { name: LimitName; identifier: (subject: SendSubject) => string | null }[] = [
  { name: "send.ip", identifier: (subject) => subject.ipKeys.address },
  { name: "send.subnet", identifier: (subject) => subject.ipKeys.aggregate },
  { name: "send.phone", identifier: (subject) => subject.phone },
  { name: "send.phone.day", identifier: (subject) => subject.phone },
  { name: "send.prefix", identifier: (subject) => subject.prefix },
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
 * Counts this send against every limit in order and stops at the first that refuses:
 * `429 rate_limited` with `Retry-After`. The response never says which limit fired (that would
 * tell an attacker which dimension to rotate); the throttle event does. A store failure throws
 * StoreUnavailableError, which the caller turns into 503: nothing is sent.
 */
export async function enforceSendLimits(subject: SendSubject): Promise<void> {
  for (const { name, identifier } of sendLimitOrder) {
    const id = identifier(subject);
    if (id === null) continue;
    const decision = await limiterFor(name).limit(id);
    if (!decision.success) {
      throw new AppError("rate_limited", "Too many code requests. Please wait a while and try again.", {
        retryAfterSeconds: Math.max(1, (decision.resetAt - Date.now()) / 1000),
        rule: `limit.${name}`,
      });
    }
  }
}

/** E.164 without its last four digits. */
export function numberPrefix(e164: string): string {
  return e164.slice(0, -4);
}
