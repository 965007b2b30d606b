"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

/** Polls for events newer than the newest shown, and offers to show them (no full reload). */
export function LiveEventsNotice({
  newestId,
  intervalMs = 5000,
}: {
  newestId: string | null;
  intervalMs?: number;
}) {
  const router = useRouter();
  const [hasNewer, setHasNewer] = useState(false);

  useEffect(() => {
    const timer = setInterval(async () => {
      const response = await fetch("/api/admin/events?limit=1", { cache: "no-store" }).catch(() => null);
      if (!response?.ok) return;
      const { events } = (await response.json()) as { events: { id: string }[] };
      setHasNewer(Boolean(events[0] && events[0].id !== newestId));
    }, intervalMs);
    return () => clearInterval(timer);
  }, [newestId, intervalMs]);

  return (
    <div aria-live="polite">
      {hasNewer ? (
        <button
          type="button"
          onClick={() => {
            setHasNewer(false);
            router.refresh();
          }}
          className="rounded-md bg-indigo-50 px-3 py-1 text-sm font-medium text-indigo-800 ring-1 ring-indigo-200"
        >
          New events — show them
        </button>
      ) : null}
    </div>
  );
}
