"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { Messages } from "@/lib/i18n";
import { confirmWithPasskey } from "@/lib/passkeys/browser";

/** The admin step-up: prove one of the account's passkeys in this session, then go on to `next`. */
export function ConfirmPasskey({ next, words }: { next: string; words: Messages["passkeys"] }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setPending(true);
    setError(null);
    const result = await confirmWithPasskey(words);
    setPending(false);
    if (result.ok) {
      router.replace(next);
      router.refresh();
      return;
    }
    setError(result.error.message);
  };

  return (
    <div className="space-y-3">
      <Button type="button" pending={pending} onClick={() => void confirm()}>
        {pending ? words.waitingForPasskey : words.confirm}
      </Button>
      <div aria-live="polite">{error ? <Alert tone="error">{error}</Alert> : null}</div>
    </div>
  );
}
