"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import type { EventsResponse } from "@/lib/api/admin";
import { fetchJson } from "@/lib/api/client";

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
      const result = await fetchJson<EventsResponse>("/api/admin/events?limit=1");
      if (!result.ok) return;
      const [newest] = result.data.events;
      setHasNewer(Boolean(newest && newest.id !== newestId));
    }, intervalMs);
    return () => clearInterval(timer);
  }, [newestId, intervalMs]);

  return (
    <div aria-live="polite">
      {hasNewer ? (
        <Button
          type="button"
          variant="secondary"
          onClick={() => {
            setHasNewer(false);
            router.refresh();
          }}
        >
          New events — show them
        </Button>
      ) : null}
    </div>
  );
}
