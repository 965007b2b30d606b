import "server-only";
import { randomBytes } from "node:crypto";
import { config } from "@/lib/config";

/**
 * A sign-in grant is the bridge between a verified code and an Auth.js session: a random,
 * single-use token with a short life, redeemed by the Credentials provider. Without one, that
 * provider signs nobody in, so it cannot be called directly to skip the code check.
 *
 * Grants live in this process, not in the store: the verify route issues one and hands it to
 * Auth.js's `signIn` in the same request, which redeems it at once in the same process. So no
 * other instance ever needs it, and keeping it here saves a store round trip per sign-in.
 */
export type SignInGrant = {
  userId: string;
  phone: string;
  /** The row in `sessions` the Auth.js session will name (lib/accounts/sessions.ts). */
  sessionId: string;
  /** When the holder last proved a passkey (ms), for the admin second factor; null: not in this session. */
  passkeyVerifiedAt: number | null;
};

/** Long enough for `signIn` to run; a grant that outlives its request is worthless. */
const GRANT_TTL_MS = config.signIn.grantLifetime.value * 1000;

type Grants = { open: Map<string, SignInGrant & { expiresAt: number }>; redeemed: Set<string> };
/** One registry per process, even when Next.js loads this module in several bundles. */
const registryKey = Symbol.for("otp-shield.sign-in-grants");
function registry(): Grants {
  const holder = globalThis as typeof globalThis & { [registryKey]?: Grants };
  return (holder[registryKey] ??= { open: new Map(), redeemed: new Set() });
}

export function issueSignInGrant(grant: SignInGrant): string {
  const { open } = registry();
  const now = Date.now();
  // Grants are redeemed within their request; any left behind (a crash mid-request) expire here.
  for (const [token, held] of open) if (held.expiresAt <= now) open.delete(token);
  const token = randomBytes(32).toString("base64url");
  open.set(token, { ...grant, expiresAt: now + GRANT_TTL_MS });
  return token;
}

/** Returns the grant once; every later call with the same token gets null. */
export function redeemSignInGrant(token: unknown): SignInGrant | null {
  if (typeof token !== "string") return null;
  const { open, redeemed } = registry();
  const held = open.get(token);
  if (!held) return null;
  open.delete(token);
  if (held.expiresAt <= Date.now()) return null;
  redeemed.add(token);
  return {
    userId: held.userId,
    phone: held.phone,
    sessionId: held.sessionId,
    passkeyVerifiedAt: held.passkeyVerifiedAt,
  };
}

/**
 * Whether Auth.js redeemed `token` (and forgets it). Auth.js can decline to sign in without
 * throwing — an untrusted host answers 500 inside `signIn`, which still resolves — and then no
 * session cookie is set; the verify route must not answer 200 then.
 */
export function wasRedeemedHere(token: string): boolean {
  return registry().redeemed.delete(token);
}
