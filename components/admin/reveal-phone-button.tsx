"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import type { RevealPhoneResponse } from "@/lib/api/admin";
import { postJson } from "@/lib/api/client";

/** Shows one event's full number on request; the server records every reveal in the audit log. */
export function RevealPhoneButton({ eventId, masked }: { eventId: string; masked: string }) {
  const [shown, setShown] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [pending, setPending] = useState(false);
  if (shown) return <span className="font-mono">{shown}</span>;
  return (
    <span className="whitespace-nowrap">
      <span className="font-mono">{masked}</span>{" "}
      <Button
        type="button"
        variant="link"
        className="text-xs underline"
        pending={pending}
        aria-label={`Reveal the number ${masked}`}
        onClick={async () => {
          setPending(true);
          const result = await postJson<RevealPhoneResponse>("/api/admin/events/reveal", { id: eventId });
          setPending(false);
          if (result.ok && result.data.phone) setShown(result.data.phone);
          else setFailed(true);
        }}
      >
        {failed ? "not kept" : "reveal"}
      </Button>
    </span>
  );
}
