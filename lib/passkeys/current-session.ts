import "server-only";
import { auth } from "@/lib/auth";
import { refusal } from "@/lib/http/errors";
import { DatabaseUnavailableError } from "@/lib/store/deadline";
import type { SignedInSession } from "./ceremonies";

/**
 * The signed-in browser, for the passkey endpoints that act on an account: `401` without a
 * session, `503` when the database could not confirm it (nothing is granted on an unchecked one).
 */
export async function requireSessionForPasskeys(): Promise<SignedInSession> {
  const session = await auth();
  if (session?.unchecked) throw new DatabaseUnavailableError("check session");
  if (!session?.user?.phone || !session.user.sessionId) throw refusal("passkey.signed_out");
  const { id, phone, sessionId, passkeyVerifiedAt } = session.user;
  return { userId: id, phone, sessionId, passkeyVerifiedAt };
}
