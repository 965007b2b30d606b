import type { Metadata } from "next";
import Link from "next/link";
import { EventFilterForm } from "@/components/admin/event-filters";
import { LiveEventsNotice } from "@/components/admin/live-events-notice";
import { RevealPhoneButton } from "@/components/admin/reveal-phone-button";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableRow } from "@/components/ui/table";
import { requireAdminForPage } from "@/lib/admin/access";
import { listThrottleEvents, parseEventQuery } from "@/lib/admin/console";
import type { EventsResponse } from "@/lib/api/admin";
import type { ApiError } from "@/lib/api/errors";
import { AppError } from "@/lib/http/errors";

export const metadata: Metadata = { title: "Events" };

const columns = ["Time (UTC)", "Rule", "Route", "Address", "Number", "Country", "User agent"];
const paging = new Set(["cursor", "after"]);
const linkClass = "text-sm font-medium text-indigo-700 underline";

/**
 * Every refusal, newest first, filtered and paged (newer and older). All stored fields are
 * attacker-influenced: React renders them as text.
 */
export default async function AdminEventsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string>>;
}) {
  await requireAdminForPage();
  const params = new URLSearchParams(await searchParams);
  const filters = new URLSearchParams([...params].filter(([name]) => !paging.has(name)));
  let page: EventsResponse = { events: [], nextCursor: null, newerCursor: null };
  let newestId: string | null = null;
  let problem: ApiError | null = null;
  try {
    const query = parseEventQuery(params);
    page = await listThrottleEvents(query);
    const paged = Boolean(query.cursor || query.after);
    // The live notice compares with the newest event of these filters, not of this page.
    newestId = paged
      ? ((await listThrottleEvents({ ...query, cursor: undefined, after: undefined, limit: 1 })).events[0]
          ?.id ?? null)
      : (page.events[0]?.id ?? null);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "bad_request") throw error;
    problem = { code: error.code, message: error.message, fields: error.details.fields };
  }
  const onNewestPage = !params.has("cursor") && !page.newerCursor;
  const pageLink = (name: "cursor" | "after", id: string) =>
    `/admin/events?${new URLSearchParams([...filters, [name, id]])}`;

  return (
    <Card title="Throttle events">
      {/* Keyed by the query, so that a new query starts the form afresh. */}
      <EventFilterForm key={filters.toString()} values={Object.fromEntries(filters)} problem={problem} />
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        {problem ? (
          <span />
        ) : (
          <LiveEventsNotice filters={filters.toString()} newestId={newestId} onNewestPage={onNewestPage} />
        )}
        {problem ? null : (
          <a href={`/api/admin/events/export?${filters}`} className={linkClass}>
            Export CSV
          </a>
        )}
      </div>
      <Table caption="Refused requests, newest first" hideCaption scrollable className="min-w-[720px]">
        <TableHead columns={columns} />
        <TableBody>
          {page.events.map((event) => (
            <TableRow key={event.id}>
              <TableCell className="whitespace-nowrap">
                {new Date(event.at).toISOString().slice(5, 19).replace("T", " ")}
              </TableCell>
              <TableCell className="font-mono break-all">{event.rule}</TableCell>
              <TableCell>{event.route}</TableCell>
              <TableCell className="font-mono break-all">
                {event.ip ?? "—"}
                {event.subnet ? <div className="text-xs text-slate-600">{event.subnet}</div> : null}
              </TableCell>
              <TableCell>
                {event.phoneMasked ? (
                  <RevealPhoneButton eventId={event.id} masked={event.phoneMasked} />
                ) : (
                  "—"
                )}
              </TableCell>
              <TableCell>{event.country ?? "—"}</TableCell>
              <TableCell className="max-w-[16rem] truncate" title={event.userAgent ?? ""}>
                {event.userAgent ?? "—"}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {page.events.length === 0 && !problem ? (
        <p className="py-4 text-sm text-slate-600">No events match.</p>
      ) : null}
      <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center gap-x-6 gap-y-2">
        {onNewestPage ? null : (
          <Link href={`/admin/events${filters.size ? `?${filters}` : ""}`} className={linkClass}>
            <span aria-hidden="true">⇤</span> Newest events
          </Link>
        )}
        {page.newerCursor ? (
          <Link href={pageLink("after", page.newerCursor)} className={linkClass}>
            <span aria-hidden="true">←</span> Newer events
          </Link>
        ) : null}
        {page.nextCursor ? (
          <Link href={pageLink("cursor", page.nextCursor)} className={linkClass}>
            Older events <span aria-hidden="true">→</span>
          </Link>
        ) : null}
      </nav>
    </Card>
  );
}
