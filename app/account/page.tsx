import type { Metadata } from "next";
import { SignOutButton } from "@/components/sign-out-button";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { requireSession, signOut } from "@/lib/auth";
import { maskPhone } from "@/lib/phone";
import { getUserByPhone } from "@/lib/sign-in/users";

export const metadata: Metadata = { title: "Your account" };

const dateFormat = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

async function signOutAndGoHome() {
  "use server";
  await signOut({ redirectTo: "/" });
}

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ welcome?: string }> }) {
  const session = await requireSession();
  const user = await getUserByPhone(session.user.phone);
  const { welcome } = await searchParams;

  return (
    <div className="mx-auto max-w-3xl">
      <Card title="Your account">
        <div className="space-y-4">
          {welcome ? <Alert tone="success">Welcome! Your account has been created.</Alert> : null}
          <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-slate-500">Phone number</dt>
            <dd data-testid="account-phone">{maskPhone(session.user.phone)}</dd>
            <dt className="text-slate-500">Signed up</dt>
            <dd>{user ? `${dateFormat.format(new Date(user.createdAt))} UTC` : "—"}</dd>
            <dt className="text-slate-500">Last sign-in</dt>
            <dd>{user ? `${dateFormat.format(new Date(user.lastSignInAt))} UTC` : "—"}</dd>
          </dl>
          <SignOutButton action={signOutAndGoHome} />
        </div>
      </Card>
    </div>
  );
}
