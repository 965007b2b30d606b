import { redeemSignInGrant } from "@/lib/sign-in/grants";

/**
 * Stands in for `@/lib/auth` in Vitest route tests (`vi.mock("@/lib/auth", () =>
 * import("../support/auth-stand-in"))`): Auth.js's `signIn` needs a Next.js request scope, which a
 * route handler called from Vitest does not have. This does what its Credentials provider does —
 * redeem the single-use grant, refusing without one — and remembers whom it signed in. The
 * browser tests run the real one.
 */
export const signedIn = new Map<string, string>();

export async function signIn(_provider: string, { grant }: { grant: string }): Promise<void> {
  const redeemed = await redeemSignInGrant(grant);
  if (!redeemed) throw new Error("CredentialsSignin");
  signedIn.set(grant, redeemed.phone);
}
