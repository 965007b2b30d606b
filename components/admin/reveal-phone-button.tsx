"use client";

import { useState } from "react";

/** Shows one event's full number on request; the server records every reveal in the audit log. */
export function RevealPhoneButton({ eventId, masked }: { eventId: string; masked: string }) {
  const [shown, setShown] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  if (shown) return <span className="font-mono">{shown}</span>;
  return (
    <span className="whitespace-nowrap">
      <span className="font-mono">{masked}</span>{" "}
      <button
        type="button"
        className="text-xs text-indigo-700 underline"
        aria-label={`Reveal the number ${masked}`}
        onClick={async () => {
          const response = await fetch("/api/admin/events/reveal", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ id: eventId }),
          });
          const body = (await response.json().catch(() => null)) as { phone?: string | null } | null;
          if (response.ok && body?.phone) setShown(body.phone);
          else setFailed(true);
        }}
      >
        {failed ? "not kept" : "reveal"}
      </button>
    </span>
  );
}
