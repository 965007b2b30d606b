import type { Metadata } from "next";
import { revalidatePath } from "next/cache";
import { SessionList } from "@/components/account/session-list";
import { YourData } from "@/components/account/your-data";
import { PasskeyList } from "@/components/passkeys/passkey-list";
import { SignOutButton } from "@/components/sign-out-button";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { listPasskeys } from "@/lib/accounts/passkeys";
import { endAllSessions, endSession, listSessions } from "@/lib/accounts/sessions";
import { getUserById } from "@/lib/accounts/users";
import { passkeyRequiredFor } from "@/lib/admin/access";
import { requireSession, signOut } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import { summarizePasskey } from "@/lib/passkeys/ceremonies";
import { maskPhone } from "@/lib/phone";
import { deleteMyAccount } from "./actions";

export const metadata: Metadata = { title: "Your account" };

const dateFormat = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

/** Ends this session on the server first, so a copy of the cookie stops working too. */
async function signOutAndGoHome() {
  "use server";
  const session = await requireSession();
  await endSession(session.user.sessionId);
  await signOut({ redirectTo: "/" });
}

async function signOutEverywhere() {
  "use server";
  const session = await requireSession();
  await endAllSessions(session.user.id);
  await signOut({ redirectTo: "/" });
}

async function endOtherSession(formData: FormData) {
  "use server";
  const session = await requireSession();
  const id = formData.get("session");
  // Only one of the account's own sessions can be ended from here.
  if (typeof id === "string" && id !== session.user.sessionId) await endSession(id, session.user.id);
  revalidatePath("/account");
}

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ welcome?: string }> }) {
  const session = await requireSession();
  const [user, sessions, passkeys] = await Promise.all([
    getUserById(session.user.id),
    listSessions(session.user.id),
    listPasskeys(session.user.id),
  ]);
  const { welcome } = await searchParams;

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <Card title="Your account">
        <div className="space-y-4">
          {welcome ? <Alert tone="success">Welcome! Your account has been created.</Alert> : null}
          <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-slate-500">Phone number</dt>
            <dd data-testid="account-phone">{maskPhone(session.user.phone)}</dd>
            <dt className="text-slate-500">Signed up</dt>
            <dd data-testid="account-created">{user ? `${dateFormat.format(user.createdAt)} UTC` : "—"}</dd>
            <dt className="text-slate-500">Last sign-in</dt>
            <dd>{user ? `${dateFormat.format(user.lastSignInAt)} UTC` : "—"}</dd>
          </dl>
          <SignOutButton action={signOutAndGoHome} />
        </div>
      </Card>
      <Card title="Passkeys">
        <PasskeyList
          passkeys={passkeys.map(summarizePasskey)}
          admin={passkeyRequiredFor(getEnv(), session.user.phone)}
        />
      </Card>
      <Card title="Where you're signed in">
        <SessionList
          sessions={sessions.map((row) => ({
            id: row.id,
            current: row.id === session.user.sessionId,
            method: row.method,
            userAgent: row.userAgent,
            network: row.network,
            createdAt: `${dateFormat.format(row.createdAt)} UTC`,
            lastSeenAt: `${dateFormat.format(row.lastSeenAt)} UTC`,
          }))}
          endSession={endOtherSession}
          signOutEverywhere={signOutEverywhere}
        />
      </Card>
      <Card title="Your data">
        <YourData deleteAccount={deleteMyAccount} />
      </Card>
    </div>
  );
}
