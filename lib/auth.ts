import "server-only";
import NextAuth, { type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { endSession, findActiveSession } from "@/lib/accounts/sessions";
import { isDatabaseUnavailable } from "@/lib/db";
import { signInPathFromHeaders } from "@/lib/sign-in/return-path";
import { DatabaseUnavailableError } from "@/lib/store/deadline";
import { redeemSignInGrant } from "@/lib/sign-in/grants";

declare module "next-auth" {
  interface Session {
    user: {
      id: string;
      phone: string;
      signedInAt: number;
      /** The row in `sessions` (lib/accounts/sessions.ts) this session lives by. */
      sessionId: string;
      /** When this session last proved a passkey (ms), or 0. */
      passkeyVerifiedAt: number;
    } & DefaultSession["user"];
    /** The database did not answer: the session could not be checked (see requireSession). */
    unchecked?: boolean;
  }
  interface User {
    phone?: string;
    sessionId?: string;
    passkeyVerifiedAt?: number | null;
  }
}

declare module "@auth/core/jwt" {
  interface JWT {
    phone?: string;
    signedInAt?: number;
    sid?: string;
    passkeyVerifiedAt?: number;
    unchecked?: boolean;
  }
}

/**
 * Auth.js v5 with JWT sessions that really end. The only provider redeems a single-use sign-in
 * grant that `POST /api/otp/verify` (after 8x8 has verified the code) or the passkey route issues
 * (lib/sign-in/grants.ts). The JWT names a row in `sessions`; every read of the session checks
 * that row (briefly cached), so sign-out, "sign out everywhere" and account deletion end every copy
 * of the cookie. The config is built lazily so that `next build` needs no secrets.
 */
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: getEnv().authSecret,
  session: { strategy: "jwt", maxAge: config.signIn.sessionMaxAge.value },
  pages: { signIn: "/sign-in" },
  providers: [
    Credentials({
      id: "sign-in-grant",
      name: "Phone code or passkey",
      credentials: { grant: {} },
      async authorize(credentials) {
        const grant = await redeemSignInGrant(credentials?.grant);
        return grant
          ? {
              id: grant.userId,
              phone: grant.phone,
              sessionId: grant.sessionId,
              passkeyVerifiedAt: grant.passkeyVerifiedAt,
            }
          : null;
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user?.phone && user.sessionId) {
        token.phone = user.phone;
        token.sid = user.sessionId;
        token.passkeyVerifiedAt = user.passkeyVerifiedAt ?? 0;
        // When the code was verified: admin rights last only a while after it (lib/admin/access.ts).
        token.signedInAt = Date.now();
        return token;
      }
      // A token without a session row (issued before sessions were kept) ends here.
      if (!token.sid) return null;
      try {
        const session = await findActiveSession(token.sid);
        if (!session) return null;
        token.passkeyVerifiedAt = session.passkeyVerifiedAt?.getTime() ?? 0;
        delete token.unchecked;
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        // Keep the cookie (a database blip must not sign everyone out) but grant nothing on it.
        token.unchecked = true;
      }
      return token;
    },
    session({ session, token }) {
      session.user.id = token.sub ?? "";
      session.user.phone = token.phone ?? "";
      session.user.signedInAt = token.signedInAt ?? 0;
      session.user.sessionId = token.sid ?? "";
      session.user.passkeyVerifiedAt = token.passkeyVerifiedAt ?? 0;
      if (token.unchecked) session.unchecked = true;
      return session;
    },
  },
  events: {
    // Sign-out ends the session on the server, so a copy of the cookie stops working too.
    async signOut(message) {
      const sid = "token" in message ? message.token?.sid : undefined;
      if (sid) await endSession(sid);
    },
  },
}));

/**
 * The signed-in user's session, or a redirect to the sign-in page. When the database could not
 * confirm the session, nothing is shown on it: a DatabaseUnavailableError (the error page says to
 * try again; API routes answer 503).
 */
export async function requireSession() {
  const session = await auth();
  if (session?.unchecked) throw new DatabaseUnavailableError("check session");
  if (!session?.user?.phone) redirect(signInPathFromHeaders(await headers()));
  return session;
}
