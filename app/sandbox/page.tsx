import type { Metadata } from "next";
import { cookies } from "next/headers";
import { notFound } from "next/navigation";
import { Card } from "@/components/ui/card";
import { getEnv } from "@/lib/env";
import { getPendingVerification, PENDING_COOKIE_NAME } from "@/lib/sign-in/pending-verification";
import { listVisibleSandboxMessages } from "@/lib/eight-by-eight/sandbox/inbox";

export const metadata: Metadata = { title: "Sandbox inbox" };

const timeFormat = new Intl.DateTimeFormat("en", { timeStyle: "medium", timeZone: "UTC" });

/** The messages the local 8x8 sandbox would have sent. Reload to see new ones. */
export default async function SandboxInboxPage() {
  const env = getEnv();
  if (env.otpProvider !== "sandbox") notFound();
  const pendingCookie = (await cookies()).get(PENDING_COOKIE_NAME)?.value;
  const messages = await listVisibleSandboxMessages(() => getPendingVerification(pendingCookie), undefined);

  return (
    <Card title="Sandbox inbox">
      <p className="mb-4 text-sm text-slate-600">
        {env.sandboxInbox === "all"
          ? "Every message the local 8x8 sandbox would have sent, newest first."
          : "The messages of your own pending sign-in, newest first. Nobody else's codes are shown here."}
      </p>
      {messages.length === 0 ? (
        <p className="text-slate-500">No messages yet.</p>
      ) : (
        <ul aria-label="Messages" className="divide-y divide-slate-200">
          {messages.map((message) => (
            <li key={`${message.to}-${message.sentAt}-${message.code}`} className="py-3">
              <div className="flex justify-between text-sm text-slate-500">
                <span>To {message.to}</span>
                <time dateTime={message.sentAt}>{timeFormat.format(new Date(message.sentAt))} UTC</time>
              </div>
              <p className="mt-1">{message.text}</p>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
