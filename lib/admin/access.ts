import "server-only";
import type { Session } from "next-auth";
import { notFound, redirect } from "next/navigation";
import { auth } from "@/lib/auth";
import { getEnv, type Env } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { DatabaseUnavailableError } from "@/lib/store/deadline";

/**
 * Whether a number signed in with a code is an admin's. Never while the sandbox runs in
 * production: the sandbox shows visitors the code for any number they type, so a code proves
 * nothing. The environment refuses that combination at startup (lib/env.ts); this check holds
 * even if that one is ever bypassed.
 */
export function isAdminPhone(
  env: Pick<Env, "isProduction" | "otpProvider" | "adminPhoneNumbers">,
  phone: string | undefined,
): boolean {
  if (env.isProduction && env.otpProvider === "sandbox") return false;
  return Boolean(phone && env.adminPhoneNumbers.includes(phone));
}

/**
 * Admins are the phone numbers in ADMIN_PHONE_NUMBERS, signed in through the same code flow.
 * Every admin page and endpoint calls one of these where it reads data — never only in a layout
 * or proxy (CVE-2025-29927 showed why).
 */
async function getAdminSession(): Promise<{ session: Session | null; isAdmin: boolean }> {
  const session = await auth();
  // A session the database could not confirm grants nothing: 503 (API) or the error page.
  if (session?.unchecked) throw new DatabaseUnavailableError("check admin session");
  const env = getEnv();
  // Admin rights are shorter-lived than the session: sign in again (a fresh code) to renew them.
  const fresh = Date.now() - (session?.user?.signedInAt ?? 0) < env.adminSessionMinutes * 60_000;
  return { session, isAdmin: isAdminPhone(env, session?.user?.phone) && fresh };
}

/**
 * For admin endpoints and data functions: 401 when signed out, 403 when signed in as someone else
 * (or as an admin whose admin time has run out).
 */
export async function requireAdminForApi(): Promise<Session> {
  const { session, isAdmin } = await getAdminSession();
  if (!session?.user?.phone) throw new AppError("unauthorized", "Sign in as an admin to use this endpoint.");
  if (!isAdmin) throw new AppError("forbidden", "This endpoint is for admins only.");
  return session;
}

/** For admin pages: sign-in for visitors, a plain 404 for signed-in non-admins (nothing to see). */
export async function requireAdminForPage(): Promise<Session> {
  const { session, isAdmin } = await getAdminSession();
  if (!session?.user?.phone) redirect("/sign-in");
  if (!isAdmin) notFound();
  return session;
}
