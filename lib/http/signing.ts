import "server-only";
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import { getEnv } from "@/lib/env";

const keys = new Map<string, Buffer>();

/** A key per purpose, derived from AUTH_SECRET, so a value signed for one use is useless for another. */
function keyFor(purpose: string): Buffer {
  let key = keys.get(purpose);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", getEnv().authSecret, "", `otp-shield:${purpose}`, 32));
    keys.set(purpose, key);
  }
  return key;
}

function mac(purpose: string, value: string): string {
  return createHmac("sha256", keyFor(purpose)).update(value).digest("base64url");
}

/** `value.signature`, for cookies the server must be able to trust when they come back. */
export function signValue(purpose: string, value: string): string {
  return `${value}.${mac(purpose, value)}`;
}

/** The value when the signature is ours (compared in constant time), otherwise null. */
export function readSignedValue(purpose: string, signed: string | undefined): string | null {
  if (!signed) return null;
  const dot = signed.lastIndexOf(".");
  if (dot <= 0) return null;
  const value = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1));
  const expected = Buffer.from(mac(purpose, value));
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : null;
}

/**
 * `value` encrypted and authenticated (a JWE, AES-256-GCM, jose), for cookies that carry data the
 * browser must neither read nor change; it stops opening at `expiresAt`.
 */
export async function sealValue(
  purpose: string,
  value: Record<string, unknown>,
  expiresAt: Date,
): Promise<string> {
  return new EncryptJWT(value)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setExpirationTime(Math.ceil(expiresAt.getTime() / 1000))
    .encrypt(keyFor(`sealed:${purpose}`));
}

/** The sealed value when it is ours and not expired, otherwise null. */
export async function openSealedValue<T>(purpose: string, sealed: string | undefined): Promise<T | null> {
  if (!sealed || sealed.length > 4096) return null;
  try {
    const { payload } = await jwtDecrypt(sealed, keyFor(`sealed:${purpose}`), {
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
    });
    return payload as T;
  } catch {
    return null;
  }
}
