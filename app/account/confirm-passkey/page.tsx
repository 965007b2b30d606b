import type { Metadata } from "next";
import { ConfirmPasskey } from "@/components/passkeys/confirm-passkey";
import { Card } from "@/components/ui/card";
import { listPasskeys } from "@/lib/accounts/passkeys";
import { isAdminPhone, passkeyRequiredFor } from "@/lib/admin/access";
import { requireSession } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import { getMessages } from "@/lib/i18n/server";
import { DEFAULT_RETURN_PATH, safeReturnPath } from "@/lib/sign-in/return-path";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).messages.passkeys.confirmTitle };
}

/**
 * Where admin pages send an admin's number signed in with a code only: confirm this session with
 * a passkey enrolled for admin use, or learn how to get one. Then on to `?next=` (a path on this
 * site), else the console for an admin and the account page for anyone else.
 */
export default async function ConfirmPasskeyPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string }>;
}) {
  const session = await requireSession();
  const env = getEnv();
  const admin = passkeyRequiredFor(env, session.user.phone);
  const [passkeys, { messages }, { next }] = await Promise.all([
    listPasskeys(session.user.id),
    getMessages(),
    searchParams,
  ]);
  const usable = passkeys.filter((passkey) => !admin || passkey.enrolledForAdmin);
  const words = messages.passkeys;
  const asked = safeReturnPath(next);
  const then =
    asked !== DEFAULT_RETURN_PATH
      ? asked
      : isAdminPhone(env, session.user.phone)
        ? "/admin"
        : DEFAULT_RETURN_PATH;

  return (
    <div className="mx-auto max-w-md">
      <Card title={words.confirmTitle}>
        <div className="space-y-4 text-sm">
          {usable.length > 0 ? (
            <>
              <p>{admin ? words.confirmAdmin : words.confirmSession}</p>
              <ConfirmPasskey next={then} words={words} />
            </>
          ) : (
            <p>{admin ? words.confirmAdminNone : words.confirmNone}</p>
          )}
        </div>
      </Card>
    </div>
  );
}
