import "server-only";
import { AppError } from "./errors";
import { getStore } from "./store";

/**
 * A growing delay between wrong codes for one number, across resends: the first five failures
 * (one 8x8 session's worth) cost nothing, each one after that makes the next check wait twice as
 * long — 1 s, 2 s, 4 s … up to a minute. A success clears it; otherwise it is forgotten after a day.
 */
const FREE_FAILURES = 5;
const MAX_DELAY_SECONDS = 60;
const MEMORY_SECONDS = 24 * 60 * 60;

type Failures = { count: number; lastAt: number };
const key = (phone: string) => `verify-failures:${phone}`;

export function delayAfterFailures(count: number): number {
  return count < FREE_FAILURES ? 0 : Math.min(MAX_DELAY_SECONDS, 2 ** (count - FREE_FAILURES));
}

export async function enforceFailureDelay(phone: string): Promise<void> {
  const failures = await getStore().get<Failures>(key(phone));
  if (!failures) return;
  const readyAt = failures.lastAt + delayAfterFailures(failures.count) * 1000;
  if (Date.now() < readyAt) {
    throw new AppError("rate_limited", "Too many wrong codes. Please wait a moment before trying again.", {
      retryAfterSeconds: (readyAt - Date.now()) / 1000,
      rule: "verify.delay",
    });
  }
}

export async function noteWrongCode(phone: string): Promise<void> {
  const store = getStore();
  const previous = await store.get<Failures>(key(phone));
  await store.set(key(phone), { count: (previous?.count ?? 0) + 1, lastAt: Date.now() }, MEMORY_SECONDS);
}

export async function clearWrongCodes(phone: string): Promise<void> {
  await getStore().delete(key(phone));
}
