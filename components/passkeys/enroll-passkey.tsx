"use client";

import Link from "next/link";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { Messages } from "@/lib/i18n";
import { addPasskey } from "@/lib/passkeys/browser";
import { useUrlFragment } from "./use-browser-support";

/**
 * Adds an admin's passkey with the enrollment link's token, which sits in the URL's fragment
 * (never sent to the server but by this request's body).
 */
export function EnrollPasskey({ words }: { words: Messages["passkeys"] }) {
  const token = useUrlFragment();
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (token === null) return null;
  if (!token) {
    return <Alert tone="error">{words.enrollNoToken}</Alert>;
  }
  if (done) {
    return (
      <div className="space-y-3">
        <Alert tone="success">{words.enrolled}</Alert>
        <Link href="/account/confirm-passkey" className="text-indigo-700 underline">
          {words.enrolledNext}
        </Link>
      </div>
    );
  }

  const enroll = async () => {
    setPending(true);
    setError(null);
    const result = await addPasskey(words, words.adminPasskeyName, token);
    setPending(false);
    if (result.ok) setDone(true);
    else setError(result.error.message);
  };

  return (
    <div className="space-y-3">
      <Button type="button" pending={pending} onClick={() => void enroll()}>
        {pending ? words.waitingForDevice : words.enroll}
      </Button>
      <div aria-live="polite">{error ? <Alert tone="error">{error}</Alert> : null}</div>
    </div>
  );
}
