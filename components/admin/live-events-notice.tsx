"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import type { EventsResponse } from "@/lib/api/admin";
import { fetchJson } from "@/lib/api/client";

/**
 * Asks every few seconds whether an event matching the page's filters arrived after the newest one
 * there was when the page was drawn, and then says so (in a live region). On the newest page it
 * offers to show them in place; on an older page, a link to the newest page of the same filters.
 * Nothing is polled while the tab is hidden.
 */
export function LiveEventsNotice({
  filters,
  newestId,
  onNewestPage,
  intervalMs = 5000,
}: {
  /** The page's filters, as a query string (no paging). */
  filters: string;
  /** The newest event matching the filters when the page was drawn; null when none did. */
  newestId: string | null;
  onNewestPage: boolean;
  intervalMs?: number;
}) {
  const router = useRouter();
  // The page (filters and newest event) the notice found newer events for: a new page starts unset.
  const page = `${filters}|${newestId ?? ""}`;
  const [foundFor, setFoundFor] = useState<string | null>(null);
  const hasNewer = foundFor === page;

  useEffect(() => {
    const query = new URLSearchParams(filters);
    query.set("limit", "1");
    if (newestId) query.set("after", newestId);
    const timer = setInterval(async () => {
      if (document.hidden) return;
      const result = await fetchJson<EventsResponse>(`/api/admin/events?${query}`);
      if (result.ok && result.data.events.length > 0) setFoundFor(`${filters}|${newestId ?? ""}`);
    }, intervalMs);
    return () => clearInterval(timer);
  }, [filters, newestId, intervalMs]);

  return (
    <div aria-live="polite">
      {!hasNewer ? null : onNewestPage ? (
        <Button type="button" variant="secondary" onClick={() => router.refresh()}>
          New events — show them
        </Button>
      ) : (
        <Link
          href={`/admin/events${filters ? `?${filters}` : ""}`}
          className="inline-block rounded-md px-4 py-2 font-medium ring-1 ring-slate-300 hover:bg-slate-50"
        >
          New events — go to the newest
        </Link>
      )}
    </div>
  );
}
