import "server-only";
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { config } from "@/lib/config";
import { queryDatabase } from "@/lib/db";
import { knownDevices } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { strictCookieOptions } from "@/lib/http/cookies";
import { readSignedValue, signValue } from "@/lib/http/signing";

/**
 * Lockout protection. An attacker can spend a victim's per-number budget by requesting codes to
 * the victim's number. Blocks expire on their own (every limit is a window), and a browser that
 * has signed in with a number before carries this signed, httpOnly cookie, which opens a small
 * reserve for that number only (the `send.phone.reserve` limit) when its ordinary budget is spent.
 *
 * The cookie names a row of `known_devices` (so deleting the account revokes it) and holds a keyed
 * hash of the number, not the number. Its signature and number are checked first, in memory: only
 * a browser that really signed in with this number costs a database read, and that read is
 * remembered for a while.
 */
export const KNOWN_DEVICE_COOKIE_NAME = "otp_device";
const PURPOSE = "known-device";
const LIFETIME_SECONDS = config.signIn.knownDeviceLifetime.value;
const CHECK_CACHE_MS = config.database.sessionCheckCache.value * 1000;
const CACHE_CAPACITY = 10_000;

const cacheKey = Symbol.for("otp-shield.known-device-checks");
function checks(): Map<string, { known: boolean; checkedAt: number }> {
  const holder = globalThis as typeof globalThis & {
    [cacheKey]?: Map<string, { known: boolean; checkedAt: number }>;
  };
  return (holder[cacheKey] ??= new Map());
}

function phoneTag(phone: string): string {
  const key = Buffer.from(hkdfSync("sha256", getEnv().authSecret, "", "otp-shield:known-device-phone", 32));
  return createHmac("sha256", key).update(phone).digest("base64url").slice(0, 22);
}

/**
 * Records this browser as a known device of the account and returns its cookie, renewed. A browser
 * that already is one keeps its row (`current` is its cookie), so signing in again writes nothing.
 */
export async function rememberDevice(request: Request, userId: string, phone: string, current?: string) {
  let id = (await isKnownDevice(current, phone)) ? readSignedValue(PURPOSE, current)!.split("~")[0]! : null;
  if (!id) {
    id = randomBytes(16).toString("base64url");
    const created = id;
    await queryDatabase("remember device", (db) => db.insert(knownDevices).values({ id: created, userId }));
    checks().set(id, { known: true, checkedAt: Date.now() });
  }
  return {
    name: KNOWN_DEVICE_COOKIE_NAME,
    value: signValue(PURPOSE, `${id}~${phoneTag(phone)}~${Date.now()}`),
    options: strictCookieOptions(request, LIFETIME_SECONDS),
  };
}

/** Whether this browser has signed in with `phone` before (within the cookie's lifetime), and still may. */
export async function isKnownDevice(cookieValue: string | undefined, phone: string): Promise<boolean> {
  const value = readSignedValue(PURPOSE, cookieValue);
  if (!value) return false;
  const [id, tag, issuedAt] = value.split("~");
  if (!id || tag !== phoneTag(phone) || !(Date.now() - Number(issuedAt) < LIFETIME_SECONDS * 1000))
    return false;

  const cache = checks();
  const cached = cache.get(id);
  if (cached && Date.now() - cached.checkedAt < CHECK_CACHE_MS) return cached.known;
  const rows = await queryDatabase("read known device", (db) =>
    db.select({ id: knownDevices.id }).from(knownDevices).where(eq(knownDevices.id, id)),
  );
  if (cache.size >= CACHE_CAPACITY) cache.delete(cache.keys().next().value!);
  cache.set(id, { known: rows.length > 0, checkedAt: Date.now() });
  return rows.length > 0;
}

/** After an account is deleted: its devices are gone from the database; forget them here too. */
export function forgetKnownDevices(ids: string[]): void {
  const cache = checks();
  for (const id of ids) cache.delete(id);
}
