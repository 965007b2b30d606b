import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { getMessages } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { messages } = await getMessages();
  // The root layout's title template applies to the pages below it, not to this one.
  return { title: { absolute: `${messages.site.name} · ${messages.home.title}` } };
}

export default async function HomePage({ searchParams }: { searchParams: Promise<{ account?: string }> }) {
  const [{ messages }, { account }] = await Promise.all([getMessages(), searchParams]);
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      {account === "deleted" ? <Alert tone="success">{messages.home.accountDeleted}</Alert> : null}
      <Card title={messages.home.heading}>
        <div className="space-y-4 text-slate-700">
          <p>{messages.home.intro}</p>
          <p>{messages.home.defenses}</p>
          <Link
            href="/sign-in"
            className="inline-block rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500"
          >
            {messages.home.cta}
          </Link>
        </div>
      </Card>
    </div>
  );
}
