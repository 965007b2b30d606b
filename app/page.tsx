import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";

export default async function HomePage({ searchParams }: { searchParams: Promise<{ account?: string }> }) {
  const { account } = await searchParams;
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      {account === "deleted" ? (
        <Alert tone="success">
          Your account has been deleted, and your phone number with it. You have been signed out.
        </Alert>
      ) : null}
      <Card title="Phone sign-in that doesn't pay for SMS pumping">
        <div className="space-y-4 text-slate-700">
          <p>
            This is a reference app for signing people in with a one-time code sent by SMS through the 8x8
            Verify API. New numbers are signed up, known numbers are signed in — and nobody can tell which
            from outside.
          </p>
          <p>
            Every code costs its owner money, so each request passes client-IP resolution, bot checks and rate
            limits before any SMS is sent.
          </p>
          <Link
            href="/sign-in"
            className="inline-block rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500"
          >
            Sign in with your phone
          </Link>
        </div>
      </Card>
    </div>
  );
}
