"use client";

import Link from "next/link";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { addPasskey } from "@/lib/passkeys/browser";
import { useUrlFragment } from "./use-browser-support";

/**
 * Adds an admin's passkey with the enrollment link's token, which sits in the URL's fragment
 * (never sent to the server but by this request's body).
 */
export function EnrollPasskey() {
  const token = useUrlFragment();
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (token === null) return null;
  if (!token) {
    return <Alert tone="error">This link has no enrollment token. Ask the operator for a new link.</Alert>;
  }
  if (done) {
    return (
      <div className="space-y-3">
        <Alert tone="success">Admin passkey added.</Alert>
        <Link href="/account/confirm-passkey" className="text-indigo-700 underline">
          Confirm with it to open the admin console
        </Link>
      </div>
    );
  }

  const enroll = async () => {
    setPending(true);
    setError(null);
    const result = await addPasskey("Admin passkey", token);
    setPending(false);
    if (result.ok) setDone(true);
    else setError(result.error.message);
  };

  return (
    <div className="space-y-3">
      <Button type="button" pending={pending} onClick={() => void enroll()}>
        {pending ? "Waiting for your device…" : "Add an admin passkey"}
      </Button>
      <div aria-live="polite">{error ? <Alert tone="error">{error}</Alert> : null}</div>
    </div>
  );
}
