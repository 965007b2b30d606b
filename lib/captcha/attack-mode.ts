import "server-only";
import { getEnv } from "../env";
import { getBackend, getStore, type RateLimiter, type StoreBackend } from "../store";

/**
 * Attack mode: while more than `ATTACK_MODE_SENDS_PER_MINUTE` sends pass the CAPTCHA in a minute
 * (bots that do solve the proof of work), new ALTCHA challenges cost more. It switches itself off
 * ten minutes after the rate falls back. Shared through the store, so every instance agrees.
 */
const FLAG_KEY = "captcha:attack-mode";
/** Present while attack mode is on; challenges bought before it read it with their claim (lib/captcha/altcha.ts). */
export const attackModeFlagKey = FLAG_KEY;
const FLAG_SECONDS = 10 * 60;

const detectors = new WeakMap<StoreBackend, RateLimiter>();

function detector(): RateLimiter {
  const backend = getBackend();
  let limiter = detectors.get(backend);
  if (!limiter) {
    limiter = backend.createRateLimiter({
      name: "attack-detector",
      limit: getEnv().captcha.attackModeSendsPerMinute,
      windowSeconds: 60,
    });
    detectors.set(backend, limiter);
  }
  return limiter;
}

/** Counts one send that passed the CAPTCHA; turns attack mode on when the rate is abnormal. */
export async function noteSendAttempt(): Promise<void> {
  const { success } = await detector().limit("all");
  if (!success) await getStore().set(FLAG_KEY, { since: Date.now() }, FLAG_SECONDS);
}

export async function isAttackModeOn(): Promise<boolean> {
  return (await getStore().get(FLAG_KEY)) !== null;
}
