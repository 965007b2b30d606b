import "server-only";
import type { Session } from "next-auth";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { auth } from "@/lib/auth";
import { getEnv, type Env } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { confirmPasskeyPathFromHeaders, signInPathFromHeaders } from "@/lib/sign-in/return-path";
import { DatabaseUnavailableError } from "@/lib/store/deadline";

/**
 * Whether a number is an admin's. While the sandbox runs in production (the hosted demo) a code
 * proves nothing — the sandbox shows visitors the code for any number they type — so there admins
 * exist only with the passkey second factor. The environment refuses the sandbox with
 * ADMIN_REQUIRE_PASSKEY=false at startup (lib/env.ts); this check holds even if that is bypassed.
 */
export function isAdminPhone(
  env: Pick<Env, "isProduction" | "otpProvider" | "adminPhoneNumbers" | "adminRequirePasskey">,
  phone: string | undefined,
): boolean {
  if (env.isProduction && env.otpProvider === "sandbox" && !env.adminRequirePasskey) return false;
  return Boolean(phone && env.adminPhoneNumbers.includes(phone));
}

/** Whether `at` (ms) is within the admin window (ADMIN_SESSION_MINUTES) of now. */
export function isWithinAdminWindow(env: Pick<Env, "adminSessionMinutes">, at: number | null | undefined) {
  return Boolean(at) && Date.now() - at! < env.adminSessionMinutes * 60_000;
}

/**
 * Whether the passkey second factor applies to this number: an admin's, with ADMIN_REQUIRE_PASSKEY
 * (the default in production). Then only passkeys enrolled for admin use sign it in or confirm it,
 * and adding or removing one needs a recent passkey confirmation (lib/passkeys/ceremonies.ts).
 */
export function passkeyRequiredFor(env: Env, phone: string | undefined): boolean {
  return env.adminRequirePasskey && isAdminPhone(env, phone);
}

/**
 * Admins are the phone numbers in ADMIN_PHONE_NUMBERS. Their rights are shorter-lived than the
 * session: they last ADMIN_SESSION_MINUTES after the sign-in with a code or, when a passkey is
 * required, after the session last proved a passkey (a passkey sign-in, or a confirmation on
 * /account/confirm-passkey after a code). Every admin page and endpoint calls one of the functions below
 * where it reads data — never only in a layout or proxy (CVE-2025-29927 showed why).
 */
async function getAdminSession(): Promise<{
  session: Session | null;
  isAdmin: boolean;
  needsPasskey: boolean;
}> {
  const session = await auth();
  // A session the database could not confirm grants nothing: 503 (API) or the error page.
  if (session?.unchecked) throw new DatabaseUnavailableError("check admin session");
  const env = getEnv();
  const phone = session?.user?.phone;
  if (!isAdminPhone(env, phone)) return { session, isAdmin: false, needsPasskey: false };
  if (passkeyRequiredFor(env, phone)) {
    const proved = isWithinAdminWindow(env, session?.user?.passkeyVerifiedAt);
    return { session, isAdmin: proved, needsPasskey: !proved };
  }
  return { session, isAdmin: isWithinAdminWindow(env, session?.user?.signedInAt), needsPasskey: false };
}

/**
 * For admin endpoints and data functions: 401 when signed out, 403 when signed in as someone else
 * (or as an admin whose admin time has run out).
 */
export async function requireAdminForApi(): Promise<Session> {
  const { session, isAdmin, needsPasskey } = await getAdminSession();
  if (!session?.user?.phone) throw new AppError("unauthorized", "Sign in as an admin to use this endpoint.");
  if (needsPasskey)
    throw new AppError(
      "forbidden",
      "Confirm with your passkey (/account/confirm-passkey) to use this endpoint.",
    );
  if (!isAdmin) throw new AppError("forbidden", "This endpoint is for admins only.");
  return session;
}

/** For admin pages: sign-in for visitors, a plain 404 for signed-in non-admins (nothing to see). */
export async function requireAdminForPage(): Promise<Session> {
  const { session, isAdmin, needsPasskey } = await getAdminSession();
  const requested = await headers();
  if (!session?.user?.phone) redirect(signInPathFromHeaders(requested));
  // An admin's number signed in with a code only: confirm with a passkey (or learn how to add one),
  // then go on to the page asked for.
  if (needsPasskey) redirect(confirmPasskeyPathFromHeaders(requested));
  if (!isAdmin) notFound();
  return session;
}
