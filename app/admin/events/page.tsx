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

const columns = ["Time (UTC)", "Rule", "Route", "Address", "Number", "Country", "User agent"];

/** Every refusal, newest first. All stored fields are attacker-influenced: React renders them as text. */
export default async function AdminEventsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string>>;
}) {
  await requireAdminForPage();
  const params = new URLSearchParams(await searchParams);
  let page: EventsResponse = { events: [], nextCursor: null };
  let problem: ApiError | null = null;
  try {
    page = await listThrottleEvents(parseEventQuery(params));
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "bad_request") throw error;
    problem = { code: error.code, message: error.message, fields: error.details.fields };
  }
  const filtersOnly = new URLSearchParams([...params].filter(([name]) => name !== "cursor"));

  return (
    <Card title="Throttle events">
      {/* Keyed by the query, so that a new query starts the form afresh. */}
      <EventFilterForm
        key={filtersOnly.toString()}
        values={Object.fromEntries(filtersOnly)}
        problem={problem}
      />
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <LiveEventsNotice newestId={params.has("cursor") ? null : (page.events[0]?.id ?? null)} />
        <a
          href={`/api/admin/events/export?${filtersOnly}`}
          className="text-sm font-medium text-indigo-700 underline"
        >
          Export CSV
        </a>
      </div>
      <Table caption="Refused requests, newest first" hideCaption className="min-w-[720px]">
        <TableHead columns={columns} />
        <TableBody>
          {page.events.map((event) => (
            <TableRow key={event.id}>
              <TableCell className="whitespace-nowrap">
                {new Date(event.at).toISOString().slice(5, 19).replace("T", " ")}
              </TableCell>
              <TableCell className="font-mono">{event.rule}</TableCell>
              <TableCell>{event.route}</TableCell>
              <TableCell className="font-mono">
                {event.ip ?? "—"}
                {event.subnet ? <div className="text-xs text-slate-500">{event.subnet}</div> : null}
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
        <p className="py-4 text-sm text-slate-500">No events match.</p>
      ) : null}
      {page.nextCursor ? (
        <Link
          href={`/admin/events?${new URLSearchParams([...filtersOnly, ["cursor", page.nextCursor]])}`}
          className="mt-4 inline-block text-sm font-medium text-indigo-700 underline"
        >
          Older events →
        </Link>
      ) : null}
    </Card>
  );
}
