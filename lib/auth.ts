import "server-only";
import NextAuth, { type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { redirect } from "next/navigation";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { redeemSignInGrant } from "@/lib/sign-in/grants";

declare module "next-auth" {
  interface Session {
    user: { id: string; phone: string; signedInAt: number } & DefaultSession["user"];
  }
  interface User {
    phone?: string;
  }
}

declare module "@auth/core/jwt" {
  interface JWT {
    phone?: string;
    signedInAt?: number;
  }
}

/**
 * Auth.js v5 with JWT sessions. The only provider redeems a single-use sign-in grant that
 * `POST /api/otp/verify` issues after 8x8 has verified the code (see `lib/sign-in/grants.ts`).
 * The config is built lazily so that `next build` needs no secrets.
 */
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: getEnv().authSecret,
  session: { strategy: "jwt", maxAge: config.signIn.sessionMaxAge.value },
  pages: { signIn: "/sign-in" },
  providers: [
    Credentials({
      id: "phone-otp",
      name: "Phone code",
      credentials: { grant: {} },
      async authorize(credentials) {
        const grant = await redeemSignInGrant(credentials?.grant);
        return grant ? { id: grant.userId, phone: grant.phone } : null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.phone) {
        token.phone = user.phone;
        // When the code was verified: admin rights last only a while after it (lib/admin/access.ts).
        token.signedInAt = Date.now();
      }
      return token;
    },
    session({ session, token }) {
      session.user.id = token.sub ?? "";
      session.user.phone = token.phone ?? "";
      session.user.signedInAt = token.signedInAt ?? 0;
      return session;
    },
  },
}));

/** The signed-in user's session, or a redirect to the sign-in page. */
export async function requireSession() {
  const session = await auth();
  if (!session?.user?.phone) redirect("/sign-in");
  return session;
}
