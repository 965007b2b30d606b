import "server-only";
import { config } from "@/lib/config";
import { getStore } from "@/lib/store";

/**
 * Attack mode: while more than `ATTACK_MODE_SENDS_PER_MINUTE` sends pass the CAPTCHA in a minute
 * (bots that do solve the proof of work), new ALTCHA challenges cost more. It switches itself off
 * ten minutes after the rate falls back. Shared through the store, so every instance agrees.
 */
const FLAG_KEY = "captcha:attack-mode";
/** Present while attack mode is on; challenges bought before it read it with their claim (lib/defenses/captcha/altcha.ts). */
export const attackModeFlagKey = FLAG_KEY;
const FLAG_SECONDS = config.captcha.attackModeDuration.value;

/**
 * Turns attack mode on (or keeps it on for another ten minutes). The rate is watched by the send
 * decision itself (`send.attack-detector` in lib/defenses/limits.ts), in its one round trip.
 */
export async function turnOnAttackMode(): Promise<void> {
  await getStore().set(FLAG_KEY, { since: Date.now() }, FLAG_SECONDS);
}

export async function isAttackModeOn(): Promise<boolean> {
  return (await getStore().get(FLAG_KEY)) !== null;
}
