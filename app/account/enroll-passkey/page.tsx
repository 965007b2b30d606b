import type { Metadata } from "next";
import { EnrollPasskey } from "@/components/passkeys/enroll-passkey";
import { Card } from "@/components/ui/card";
import { requireSession } from "@/lib/auth";
import { format } from "@/lib/i18n";
import { getMessages } from "@/lib/i18n/server";
import { maskPhone } from "@/lib/phone";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).messages.passkeys.enrollTitle };
}

/** The page an admin enrollment link opens (`npm run admin:enroll`); the token is in the URL's fragment. */
export default async function EnrollPasskeyPage() {
  const session = await requireSession();
  const words = (await getMessages()).messages.passkeys;
  return (
    <div className="mx-auto max-w-md">
      <Card title={words.enrollTitle}>
        <div className="space-y-4 text-sm">
          <p>{format(words.enrollIntro, { phone: maskPhone(session.user.phone) })}</p>
          <EnrollPasskey words={words} />
        </div>
      </Card>
    </div>
  );
}
