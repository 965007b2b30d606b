import "server-only";
import { AppError } from "./errors";
import { getStore } from "./store";

/**
 * Exponential delay between codes to one number, as 8x8 recommends: the second code may follow
 * the first after `baseSeconds`, each later one waits twice as long as the one before, up to an
 * hour. The count is forgotten a day after the last code, or when the number signs in.
 */
const MAX_DELAY_SECONDS = 60 * 60;
const MEMORY_SECONDS = 24 * 60 * 60;

type Cooldown = { sent: number; lastSentAt: number };
const key = (phone: string) => `cooldown:${phone}`;

export function delayAfter(sent: number, baseSeconds: number): number {
  return sent <= 0 ? 0 : Math.min(MAX_DELAY_SECONDS, baseSeconds * 2 ** (sent - 1));
}

/** Throws `429 rate_limited` while the number's cooldown runs; returns when the next code may follow. */
export async function enforceResendCooldown(phone: string, baseSeconds: number): Promise<void> {
  const cooldown = await getStore().get<Cooldown>(key(phone));
  if (!cooldown) return;
  const readyAt = cooldown.lastSentAt + delayAfter(cooldown.sent, baseSeconds) * 1000;
  if (Date.now() < readyAt) {
    throw new AppError("rate_limited", "Too many code requests. Please wait a while and try again.", {
      retryAfterSeconds: (readyAt - Date.now()) / 1000,
      rule: "cooldown.phone",
    });
  }
}

/** Counts a code sent to `phone`; returns when the next one may be sent. */
export async function noteCodeSent(phone: string, baseSeconds: number): Promise<Date> {
  const store = getStore();
  const previous = await store.get<Cooldown>(key(phone));
  const now = Date.now();
  const next: Cooldown = { sent: (previous?.sent ?? 0) + 1, lastSentAt: now };
  await store.set(key(phone), next, MEMORY_SECONDS);
  return new Date(now + delayAfter(next.sent, baseSeconds) * 1000);
}

/** Sandbox time travel: the number's delay runs as if `seconds` had passed (tests, local development). */
export async function ageResendCooldown(phone: string, seconds: number): Promise<void> {
  const store = getStore();
  const cooldown = await store.get<Cooldown>(key(phone));
  if (cooldown)
    await store.set(
      key(phone),
      { ...cooldown, lastSentAt: cooldown.lastSentAt - seconds * 1000 },
      MEMORY_SECONDS,
    );
}

export async function clearResendCooldown(phone: string): Promise<void> {
  await getStore().delete(key(phone));
}
