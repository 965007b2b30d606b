"use server";

import { cookies } from "next/headers";
import type { DeleteAccountState } from "@/components/account/delete-account-form";
import { requireSession, signOut } from "@/lib/auth";
import { isDatabaseUnavailable } from "@/lib/db";
import { getMessages } from "@/lib/i18n/server";
import { deleteAccount } from "@/lib/privacy/delete-account";
import { KNOWN_DEVICE_COOKIE_NAME } from "@/lib/sign-in/known-device";
import { PENDING_COOKIE_NAME } from "@/lib/sign-in/pending-verification";
import { isStoreUnavailable } from "@/lib/store";

/**
 * "Delete my account", confirmed by the number's last four digits. On success this browser is
 * signed out with every cookie of ours cleared (session, known device, pending code) and lands on
 * the home page, which confirms it. When the store or the database is down nothing is deleted
 * (fail closed) and the form says to try again; a retry completes a deletion a failure cut short.
 */
export async function deleteMyAccount(
  _state: DeleteAccountState,
  formData: FormData,
): Promise<DeleteAccountState> {
  const session = await requireSession();
  const typed = String(formData.get("lastFour") ?? "").replace(/\D/g, "");
  if (typed !== session.user.phone.slice(-4)) {
    return { error: (await getMessages()).messages.account.deleteMismatch, field: "lastFour" };
  }
  try {
    await deleteAccount({ userId: session.user.id, phone: session.user.phone });
  } catch (error) {
    if (!isStoreUnavailable(error) && !isDatabaseUnavailable(error)) throw error;
    console.error("[otp-shield] account deletion failed: store or database unavailable", {
      error: error instanceof Error ? error.message : String(error),
    });
    return { error: (await getMessages()).messages.account.deleteUnavailable, field: null };
  }
  const jar = await cookies();
  jar.delete(KNOWN_DEVICE_COOKIE_NAME);
  jar.delete(PENDING_COOKIE_NAME);
  await signOut({ redirectTo: "/?account=deleted" });
  return { error: null };
}
