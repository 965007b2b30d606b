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
import { getMessages } from "@/lib/i18n/server";
import { summarizePasskey } from "@/lib/passkeys/ceremonies";
import { maskPhone } from "@/lib/phone";
import { deleteMyAccount } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).messages.account.title };
}

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
  const [user, sessions, passkeys, { locale, messages }] = await Promise.all([
    getUserById(session.user.id),
    listSessions(session.user.id),
    listPasskeys(session.user.id),
    getMessages(),
  ]);
  const { welcome } = await searchParams;
  const words = messages.account;
  const dateFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  });
  const formatDate = (date: Date) => `${dateFormat.format(date)} UTC`;

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <Card title={words.title}>
        <div className="space-y-4">
          {welcome ? <Alert tone="success">{messages.site.welcome}</Alert> : null}
          <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-slate-500">{words.phone}</dt>
            <dd data-testid="account-phone">{maskPhone(session.user.phone)}</dd>
            <dt className="text-slate-500">{words.signedUp}</dt>
            <dd data-testid="account-created">{user ? formatDate(user.createdAt) : "—"}</dd>
            <dt className="text-slate-500">{words.lastSignIn}</dt>
            <dd>{user ? formatDate(user.lastSignInAt) : "—"}</dd>
          </dl>
          <SignOutButton action={signOutAndGoHome} label={words.signOut} />
        </div>
      </Card>
      <Card title={words.passkeys}>
        <PasskeyList
          passkeys={passkeys.map(summarizePasskey)}
          admin={passkeyRequiredFor(getEnv(), session.user.phone)}
          locale={locale}
          words={messages.passkeys}
        />
      </Card>
      <Card title={words.sessions}>
        <SessionList
          sessions={sessions.map((row) => ({
            id: row.id,
            current: row.id === session.user.sessionId,
            method: row.method,
            userAgent: row.userAgent,
            network: row.network,
            createdAt: formatDate(row.createdAt),
            lastSeenAt: formatDate(row.lastSeenAt),
          }))}
          words={words}
          endSession={endOtherSession}
          signOutEverywhere={signOutEverywhere}
        />
      </Card>
      <Card title={words.data}>
        <YourData deleteAccount={deleteMyAccount} words={words} />
      </Card>
    </div>
  );
}
