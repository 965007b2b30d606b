import Link from "next/link";
import { LiveEventsNotice } from "@/components/admin/live-events-notice";
import { RevealPhoneButton } from "@/components/admin/reveal-phone-button";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { inputClassName } from "@/components/ui/field";
import { requireAdminForPage } from "@/lib/admin/access";
import { listThrottleEvents, parseEventQuery, type EventQuery } from "@/lib/admin/console";
import { AppError } from "@/lib/http/errors";
import type { ThrottleEventPage } from "@/lib/events";

const filterFields: { name: keyof EventQuery; label: string; placeholder: string }[] = [
  { name: "rule", label: "Rule", placeholder: "limit.send.ip" },
  { name: "ip", label: "Address or network", placeholder: "203.0.113.0/24" },
  { name: "country", label: "Country", placeholder: "SG" },
  { name: "prefix", label: "Number prefix", placeholder: "+6581" },
  { name: "from", label: "From (UTC)", placeholder: "2026-11-29T08:00" },
  { name: "to", label: "To (UTC)", placeholder: "2026-11-29T09:00" },
];

/** Every refusal, newest first. All stored fields are attacker-influenced: React renders them as text. */
export default async function AdminEventsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string>>;
}) {
  await requireAdminForPage();
  const params = new URLSearchParams(await searchParams);
  let query: EventQuery = {};
  let page: ThrottleEventPage = { events: [], nextCursor: null };
  let problem: string | null = null;
  try {
    query = parseEventQuery(params);
    page = await listThrottleEvents(query);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "bad_request") throw error;
    problem = error.message;
  }
  const filtersOnly = new URLSearchParams([...params].filter(([name]) => name !== "cursor"));

  return (
    <Card title="Throttle events">
      <form method="get" className="mb-4 grid gap-3 sm:grid-cols-4" aria-label="Filter events">
        {filterFields.map((field) => (
          <div key={field.name}>
            <label htmlFor={`filter-${field.name}`} className="block text-xs font-medium text-slate-600">
              {field.label}
            </label>
            <input
              id={`filter-${field.name}`}
              name={field.name}
              defaultValue={String(query[field.name] ?? "")}
              placeholder={field.placeholder}
              className={inputClassName}
            />
          </div>
        ))}
        <div className="flex items-end gap-2">
          <button type="submit" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white">
            Filter
          </button>
          <Link href="/admin/events" className="text-sm text-indigo-700 underline">
            Clear
          </Link>
        </div>
      </form>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <LiveEventsNotice newestId={params.has("cursor") ? null : (page.events[0]?.id ?? null)} />
        <a
          href={`/api/admin/events/export?${filtersOnly}`}
          className="text-sm font-medium text-indigo-700 underline"
        >
          Export CSV
        </a>
      </div>
      {problem ? <Alert tone="error">{problem}</Alert> : null}
      <div className="overflow-x-auto">
        <table className="w-full min-w-[720px] text-left text-sm [&_td]:px-2 [&_td]:py-1 [&_th]:px-2">
          <caption className="sr-only">Refused requests, newest first</caption>
          <thead className="text-xs text-slate-500">
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Rule</th>
              <th scope="col">Route</th>
              <th scope="col">Address</th>
              <th scope="col">Number</th>
              <th scope="col">Country</th>
              <th scope="col">User agent</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.events.map((event) => (
              <tr key={event.id} className="align-top">
                <td className="py-1 whitespace-nowrap">
                  {new Date(event.at).toISOString().slice(5, 19).replace("T", " ")}
                </td>
                <td className="font-mono">{event.rule}</td>
                <td>{event.route}</td>
                <td className="font-mono">
                  {event.ip ?? "—"}
                  {event.subnet ? <div className="text-xs text-slate-500">{event.subnet}</div> : null}
                </td>
                <td>
                  {event.phoneMasked ? (
                    <RevealPhoneButton eventId={event.id} masked={event.phoneMasked} />
                  ) : (
                    "—"
                  )}
                </td>
                <td>{event.country ?? "—"}</td>
                <td className="max-w-[16rem] truncate" title={event.userAgent ?? ""}>
                  {event.userAgent ?? "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {page.events.length === 0 && !problem ? (
          <p className="py-4 text-sm text-slate-500">No events match.</p>
        ) : null}
      </div>
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
