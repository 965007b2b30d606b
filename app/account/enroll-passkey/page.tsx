import type { Metadata } from "next";
import { EnrollPasskey } from "@/components/passkeys/enroll-passkey";
import { Card } from "@/components/ui/card";
import { requireSession } from "@/lib/auth";
import { maskPhone } from "@/lib/phone";

export const metadata: Metadata = { title: "Add an admin passkey" };

/** The page an admin enrollment link opens (`npm run admin:enroll`); the token is in the URL's fragment. */
export default async function EnrollPasskeyPage() {
  const session = await requireSession();
  return (
    <div className="mx-auto max-w-md">
      <Card title="Add an admin passkey">
        <div className="space-y-4 text-sm">
          <p>
            Signed in as {maskPhone(session.user.phone)}. This link adds one passkey that counts as the admin
            second factor; it works once, for a few minutes.
          </p>
          <EnrollPasskey />
        </div>
      </Card>
    </div>
  );
}
