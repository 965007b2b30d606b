import "server-only";
import { randomBytes } from "node:crypto";
import { config } from "@/lib/config";
import { getStore, type KeyValueStore } from "@/lib/store";

/**
 * A sign-in grant is the bridge between a verified code and an Auth.js session: a random,
 * single-use token with a short life, redeemed by the Credentials provider. Without one, that
 * provider signs nobody in, so it cannot be called directly to skip the code check.
 */
export type SignInGrant = { userId: string; phone: string };

const GRANT_TTL_SECONDS = config.signIn.grantLifetime.value;
const grantKey = (token: string) => `sign-in-grant:${token}`;

export async function issueSignInGrant(
  grant: SignInGrant,
  store: KeyValueStore = getStore(),
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await store.set(grantKey(token), grant, GRANT_TTL_SECONDS);
  return token;
}

/** Returns the grant once; every later call with the same token gets null. */
export async function redeemSignInGrant(
  token: unknown,
  store: KeyValueStore = getStore(),
): Promise<SignInGrant | null> {
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const grant = await store.take<SignInGrant>(grantKey(token));
  if (grant) redeemedHere().add(token);
  return grant;
}

/**
 * Whether Auth.js redeemed `token` in this process (and forgets it). Auth.js can decline to sign
 * in without throwing — an untrusted host answers 500 inside `signIn`, which still resolves — and
 * then no session cookie is set; the verify route must not answer 200 then. A process-wide set
 * (one even when Next.js loads this module in several bundles), emptied as each check is made.
 */
export function wasRedeemedHere(token: string): boolean {
  return redeemedHere().delete(token);
}

const redeemedKey = Symbol.for("otp-shield.redeemed-sign-in-grants");
function redeemedHere(): Set<string> {
  const holder = globalThis as typeof globalThis & { [redeemedKey]?: Set<string> };
  return (holder[redeemedKey] ??= new Set());
}
