import "server-only";
import { randomBytes } from "node:crypto";
import { getStore, type KeyValueStore } from "./store";

/**
 * A sign-in grant is the bridge between a verified code and an Auth.js session: a random,
 * single-use token with a short life, redeemed by the Credentials provider. Without one, that
 * provider signs nobody in, so it cannot be called directly to skip the code check.
 */
export type SignInGrant = { userId: string; phone: string };

const GRANT_TTL_SECONDS = 60;
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
  return store.take<SignInGrant>(grantKey(token));
}
