import { Table, TableBody, TableCell, TableHead, TableRow } from "@/components/ui/table";
import type { TrafficAggregates } from "@/lib/events/types";

const percent = (verified: number, sent: number) =>
  sent === 0 ? "—" : `${Math.round((verified / sent) * 100)} %`;

/**
 * Conversion per country over time, as small multiples of server-rendered SVG (no client
 * JavaScript): one row per country, a bar per bucket whose height is the codes sent and whose dark
 * part is the codes entered. During SMS pumping a country's bars grow and go pale. The numbers
 * are also given as a table, for screen readers and for copying.
 */
export function ConversionChart({
  title,
  aggregates,
  countries,
}: {
  title: string;
  aggregates: TrafficAggregates;
  /** The countries to draw, in order (the most sends first). */
  countries: string[];
}) {
  const width = 600;
  const height = 48;
  const barWidth = width / aggregates.buckets.length;
  const label = (start: number) =>
    new Date(start)
      .toISOString()
      .slice(aggregates.granularity === "minute" ? 11 : 5, 16)
      .replace("T", " ");
  const totals = (country: string) =>
    aggregates.buckets.reduce(
      (sum, bucket) => ({
        sent: sum.sent + (bucket.countries[country]?.sent ?? 0),
        verified: sum.verified + (bucket.countries[country]?.verified ?? 0),
      }),
      { sent: 0, verified: 0 },
    );
  const busy = aggregates.buckets.filter((bucket) => countries.some((country) => bucket.countries[country]));

  return (
    <figure className="space-y-2">
      <figcaption className="text-sm font-medium text-slate-700">{title}</figcaption>
      {countries.length === 0 ? (
        <p className="text-sm text-slate-500">No codes sent in this period.</p>
      ) : null}
      {countries.map((country) => {
        const total = totals(country);
        const max = Math.max(1, ...aggregates.buckets.map((bucket) => bucket.countries[country]?.sent ?? 0));
        return (
          <div key={country} className="grid grid-cols-[7rem_1fr] items-center gap-2">
            <div className="text-xs">
              <div className="font-mono font-semibold">{country}</div>
              <div className="text-slate-600">
                {total.verified}/{total.sent} · {percent(total.verified, total.sent)}
              </div>
            </div>
            <svg
              viewBox={`0 0 ${width} ${height}`}
              className="h-12 w-full"
              role="img"
              aria-label={`${country}: ${total.sent} sent, ${total.verified} verified, conversion ${percent(total.verified, total.sent)}`}
            >
              <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} stroke="#cbd5e1" />
              {aggregates.buckets.map((bucket, index) => {
                const counts = bucket.countries[country];
                if (!counts?.sent) return null;
                const sentHeight = (counts.sent / max) * (height - 2);
                const verifiedHeight = (Math.min(counts.verified, counts.sent) / max) * (height - 2);
                return (
                  <g key={bucket.start}>
                    <title>{`${label(bucket.start)} UTC: ${counts.verified} of ${counts.sent} verified (${percent(counts.verified, counts.sent)})`}</title>
                    <rect
                      x={index * barWidth + 0.5}
                      y={height - sentHeight}
                      width={Math.max(1, barWidth - 1)}
                      height={sentHeight}
                      fill="#fca5a5"
                    />
                    <rect
                      x={index * barWidth + 0.5}
                      y={height - verifiedHeight}
                      width={Math.max(1, barWidth - 1)}
                      height={verifiedHeight}
                      fill="#15803d"
                    />
                  </g>
                );
              })}
            </svg>
          </div>
        );
      })}
      {countries.length > 0 ? (
        <details className="text-sm">
          <summary className="cursor-pointer text-indigo-700">Show as a table</summary>
          <Table caption={`${title} (verified / sent)`} hideCaption>
            <TableHead columns={["Time (UTC)", ...countries]} />
            <TableBody>
              {busy.map((bucket) => (
                <TableRow key={bucket.start}>
                  <TableCell header>{label(bucket.start)}</TableCell>
                  {countries.map((country) => {
                    const counts = bucket.countries[country];
                    return (
                      <TableCell key={country}>
                        {counts
                          ? `${counts.verified}/${counts.sent} (${percent(counts.verified, counts.sent)})`
                          : "—"}
                      </TableCell>
                    );
                  })}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </details>
      ) : null}
      <p className="text-xs text-slate-600">
        <span aria-hidden="true" className="mr-1 inline-block h-3 w-3 rounded-sm bg-green-700 align-middle" />
        verified
        <span
          aria-hidden="true"
          className="mr-1 ml-3 inline-block h-3 w-3 rounded-sm bg-red-300 align-middle"
        />
        sent, never verified
      </p>
    </figure>
  );
}
