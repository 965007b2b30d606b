import type { Metadata } from "next";
import { ConfirmPasskey } from "@/components/passkeys/confirm-passkey";
import { Card } from "@/components/ui/card";
import { listPasskeys } from "@/lib/accounts/passkeys";
import { isAdminPhone, passkeyRequiredFor } from "@/lib/admin/access";
import { requireSession } from "@/lib/auth";
import { getEnv } from "@/lib/env";

export const metadata: Metadata = { title: "Confirm with a passkey" };

/**
 * Where admin pages send an admin's number signed in with a code only: confirm this session with
 * a passkey enrolled for admin use, or learn how to get one.
 */
export default async function ConfirmPasskeyPage() {
  const session = await requireSession();
  const env = getEnv();
  const admin = passkeyRequiredFor(env, session.user.phone);
  const usable = (await listPasskeys(session.user.id)).filter(
    (passkey) => !admin || passkey.enrolledForAdmin,
  );

  return (
    <div className="mx-auto max-w-md">
      <Card title="Confirm with a passkey">
        <div className="space-y-4 text-sm">
          {usable.length > 0 ? (
            <>
              <p>
                {admin
                  ? "The admin console needs a passkey as well as your code. Confirm with your admin passkey to continue."
                  : "Confirm this session with one of your passkeys."}
              </p>
              <ConfirmPasskey next={isAdminPhone(env, session.user.phone) ? "/admin" : "/account"} />
            </>
          ) : (
            <p>
              {admin
                ? "The admin console needs a passkey as well as your code, and this account has no admin passkey yet. " +
                  "Ask the operator for an enrollment link (npm run admin:enroll -- <your number>), open it while signed in, " +
                  "and add the passkey there."
                : "This account has no passkey yet: add one on your account page."}
            </p>
          )}
        </div>
      </Card>
    </div>
  );
}
