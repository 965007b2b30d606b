import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { getMessages } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { messages } = await getMessages();
  return { title: messages.notFound.title };
}

/** Every unknown page (and `notFound()`): in the site's frame, with a way home. */
export default async function NotFound() {
  const { messages } = await getMessages();
  return (
    <div className="mx-auto max-w-md">
      <Card title={messages.notFound.heading}>
        <div className="space-y-4 text-slate-700">
          <p>{messages.notFound.body}</p>
          <Link
            href="/"
            className="inline-block rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500"
          >
            {messages.notFound.home}
          </Link>
        </div>
      </Card>
    </div>
  );
}
