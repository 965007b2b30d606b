import "server-only";
import { createHmac, hkdfSync } from "node:crypto";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { strictCookieOptions } from "@/lib/http/cookies";
import { readSignedValue, signValue } from "@/lib/http/signing";

/**
 * Lockout protection. An attacker can spend a victim's per-number budget by requesting codes to
 * the victim's number. Blocks expire on their own (every limit is a window), and a browser that
 * has signed in with a number before carries this signed, httpOnly cookie, which opens a small
 * reserve for that number only (the `send.phone.reserve` limit) when its ordinary budget is spent.
 * The cookie holds a keyed hash of the number, not the number.
 */
export const KNOWN_DEVICE_COOKIE_NAME = "otp_device";
const PURPOSE = "known-device";
const LIFETIME_SECONDS = config.signIn.knownDeviceLifetime.value;

function phoneTag(phone: string): string {
  const key = Buffer.from(hkdfSync("sha256", getEnv().authSecret, "", "otp-shield:known-device-phone", 32));
  return createHmac("sha256", key).update(phone).digest("base64url").slice(0, 22);
}

export function knownDeviceCookie(request: Request, phone: string) {
  return {
    name: KNOWN_DEVICE_COOKIE_NAME,
    value: signValue(PURPOSE, `${phoneTag(phone)}~${Date.now()}`),
    options: strictCookieOptions(request, LIFETIME_SECONDS),
  };
}

/** Whether this browser has signed in with `phone` before (within the cookie's lifetime). */
export function isKnownDevice(cookieValue: string | undefined, phone: string): boolean {
  const value = readSignedValue(PURPOSE, cookieValue);
  if (!value) return false;
  const [tag, issuedAt] = value.split("~");
  return tag === phoneTag(phone) && Date.now() - Number(issuedAt) < LIFETIME_SECONDS * 1000;
}
