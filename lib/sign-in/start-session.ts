import "server-only";
import { createSession, endSession, type SignInMethod } from "@/lib/accounts/sessions";
import type { User } from "@/lib/accounts/users";
import type { RequestContext } from "@/lib/http/public-route";
import { issueSignInGrant } from "./grants";
import { KNOWN_DEVICE_COOKIE_NAME, rememberDevice } from "./known-device";

/**
 * The one way into a session, after a verified code or a passkey: the session's row and this
 * browser's known-device record are written together, and a single-use grant lets Auth.js sign
 * the browser in (the route calls `signIn`). When Auth.js declines, the route calls `abandon`.
 */
export async function startSession(
  request: Request & { cookies: { get(name: string): { value: string } | undefined } },
  context: RequestContext,
  user: User,
  method: SignInMethod,
) {
  const [session, deviceCookie] = await Promise.all([
    createSession(user.id, method, {
      userAgent: context.userAgent,
      network: context.ipKeys?.aggregate ?? null,
    }),
    rememberDevice(request, user.id, user.phone, request.cookies.get(KNOWN_DEVICE_COOKIE_NAME)?.value),
  ]);
  return {
    grant: issueSignInGrant({
      userId: user.id,
      phone: user.phone,
      sessionId: session.id,
      passkeyVerifiedAt: session.passkeyVerifiedAt?.getTime() ?? null,
    }),
    deviceCookie,
    abandon: () => endSession(session.id),
  };
}
