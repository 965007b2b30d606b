import "server-only";
import { activeAlertKey, raiseAlert } from "@/lib/alerts";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
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
 * An instance that turned attack mode on (or kept it on) this recently does not write again: the
 * flag then has at least 9 min 50 s left, and nothing removes it before its TTL. So a send during
 * an attack costs no round trip, instead of one each.
 */
const REFRESH_EVERY_MS = 10_000;
let refreshedAt = 0;

/** The alert attack mode raises; its "active" marker is read with the flag (see {@link isAttackModeOn}). */
const ALERT = { kind: "attack_mode", subject: "sends" } as const;
const alertActiveKey = activeAlertKey(ALERT.kind, ALERT.subject);

/**
 * Turns attack mode on (or keeps it on for another ten minutes). The rate is watched by the send
 * decision itself (`send.attack-detector` in lib/defenses/limits.ts), in its one round trip.
 *
 * The flag is created only if absent, which tells exactly one caller on any instance that attack
 * mode has just started: that one raises the "started" alert (after the response). The flag is
 * then kept on with a second write, at most once per `REFRESH_EVERY_MS` on each instance.
 */
export async function turnOnAttackMode(): Promise<void> {
  const now = Date.now();
  if (now - refreshedAt < REFRESH_EVERY_MS) return;
  const store = getStore();
  const startedNow = await store.setIfAbsent(FLAG_KEY, { at: now }, FLAG_SECONDS);
  if (!startedNow) await store.set(FLAG_KEY, { at: now }, FLAG_SECONDS);
  refreshedAt = now;
  if (startedNow) {
    // A previous attack whose end no request observed ends first (nothing is sent otherwise).
    raiseAlert({ ...ALERT, state: "ended", evidence: { observed: "when attack mode started again" } });
    const { attackModeSendsPerMinute, altcha } = getEnv().captcha;
    raiseAlert({
      ...ALERT,
      state: "started",
      evidence: {
        sendsPerMinuteAbove: attackModeSendsPerMinute,
        challengeCostMultiplier: altcha.attackCostMultiplier,
        offAfterQuietMinutes: FLAG_SECONDS / 60,
      },
    });
  }
}

/**
 * Whether attack mode is on. Reads the flag and the alert's "active" marker in one round trip
 * (two keys instead of one), which is how the end of attack mode is noticed without a timer:
 * the flag gone while the marker is still there means attack mode has ended, and the "ended"
 * alert takes the marker (so of many instances observing it, one sends). The flag there without
 * the marker means a "started" was missed (say, the store failed after the flag was written):
 * it is raised now, deduplicated like any other.
 */
export async function isAttackModeOn(): Promise<boolean> {
  const [flag, alertActive] = await getStore().getMany([FLAG_KEY, alertActiveKey]);
  const on = flag !== null;
  if (!on && alertActive !== null) raiseAlert({ ...ALERT, state: "ended", evidence: {} });
  if (on && alertActive === null) raiseAlert({ ...ALERT, state: "started", evidence: {} });
  return on;
}
