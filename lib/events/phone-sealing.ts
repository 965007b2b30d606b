import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Redis as UpstashRedis } from "@upstash/redis";
import { hourStart } from "./matching";

const HOUR_MS = 3_600_000;
/** AES-GCM's recommended nonce size. */
const IV_BYTES = 12;

/**
 * Crypto-shredding for the full numbers in the Redis log. Each number is sealed (AES-256-GCM,
 * node:crypto) inside its capped stream entry, with a key per hour of refusals (`te:pk:<hour>`)
 * that Redis deletes when the retention period of that hour's last refusal has passed. From then
 * on the entry may stay until the stream is trimmed, but its number can no longer be read — by
 * the app or by anyone holding a copy of Redis. One key per hour keeps the store bounded whatever
 * refusals carry (a key per event would not be). Keys are cached in the process, so only the
 * first batch of an hour costs one more round trip.
 */
export function createPhoneSealer(options: {
  redis: UpstashRedis;
  keyName: (hour: number) => string;
  retentionMs: number;
  guard: <T>(operation: string, promise: Promise<T>) => Promise<T>;
}) {
  const cache = new Map<number, { key: Buffer; until: number }>();
  /** Numbers refused in `hour` are readable until the retention period of its last millisecond ends. */
  const readableUntil = (hour: number) => hour + HOUR_MS + options.retentionMs;

  async function keysFor(hours: number[], create: boolean): Promise<Map<number, Buffer>> {
    const now = Date.now();
    for (const [hour, entry] of cache) if (entry.until <= now) cache.delete(hour);
    const missing = [...new Set(hours)].filter((hour) => !cache.has(hour) && readableUntil(hour) > now);
    if (missing.length > 0) {
      const pipeline = options.redis.pipeline();
      for (const hour of missing) {
        // Whichever instance comes first creates the hour's key; every other one reads it.
        if (create) {
          pipeline.set(options.keyName(hour), randomBytes(32).toString("base64"), {
            nx: true,
            pxat: readableUntil(hour),
          });
        }
        pipeline.get(options.keyName(hour));
      }
      const replies = await options.guard("read phone keys", pipeline.exec<unknown[]>());
      missing.forEach((hour, index) => {
        const value = replies[create ? index * 2 + 1 : index];
        if (typeof value === "string") {
          cache.set(hour, { key: Buffer.from(value, "base64"), until: readableUntil(hour) });
        }
      });
    }
    return new Map(hours.flatMap((hour) => (cache.has(hour) ? [[hour, cache.get(hour)!.key]] : [])));
  }

  return {
    /** Each number sealed for its event (`requestId` is bound in), or null when none or past retention. */
    async seal(items: { phone: string | null; at: number; requestId: string }[]): Promise<(string | null)[]> {
      const withPhone = items.filter((item) => item.phone);
      // A retention of 0 keeps no number at all, not even for the hour a key would live.
      if (withPhone.length === 0 || options.retentionMs <= 0) return items.map(() => null);
      const keys = await keysFor(
        withPhone.map((item) => hourStart(item.at)),
        true,
      );
      // One draw of randomness for the batch's IVs: a draw costs more than the cipher itself.
      const ivs = randomBytes(IV_BYTES * items.length);
      return items.map(({ phone, at, requestId }, index) => {
        const key = phone ? keys.get(hourStart(at)) : undefined;
        if (!phone || !key) return null;
        const iv = ivs.subarray(index * IV_BYTES, (index + 1) * IV_BYTES);
        const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(requestId));
        const sealed = Buffer.concat([cipher.update(phone, "utf8"), cipher.final()]);
        return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString("base64url")).join(".");
      });
    },

    /** The number, or null once its hour's key is gone (or if the seal was tampered with). */
    async open(sealed: string, at: number, requestId: string): Promise<string | null> {
      const key = (await keysFor([hourStart(at)], false)).get(hourStart(at));
      const [iv, tag, data] = sealed.split(".").map((part) => Buffer.from(part, "base64url"));
      if (!key || !iv || !tag || !data) return null;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(requestId));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8");
      } catch {
        return null;
      }
    },
  };
}
