import { BarChart, ChartLegend, okabeIto, type ChartSeries } from "@/components/admin/bar-chart";
import type { TrafficAggregates } from "@/lib/events/types";

const percent = (verified: number, sent: number) =>
  sent === 0 ? "—" : `${Math.round((verified / sent) * 100)} %`;

/** Verified at the bottom, in a plain colour; the codes never entered above it, striped. */
const series: ChartSeries[] = [
  { key: "verified", label: "verified", colour: okabeIto.bluishGreen },
  { key: "unverified", label: "sent, never verified", colour: okabeIto.vermillion, hatched: true },
];

/**
 * Conversion per country over time, as small multiples (one chart per country, each on its own
 * scale): a bar per minute or hour whose height is the codes sent, split into those entered and
 * those never entered. During SMS pumping a country's bars grow and turn to stripes. Each bar's
 * details and the table give the conversion; server-rendered, no client JavaScript.
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
  const totals = (country: string) =>
    aggregates.buckets.reduce(
      (sum, bucket) => ({
        sent: sum.sent + (bucket.countries[country]?.sent ?? 0),
        verified: sum.verified + (bucket.countries[country]?.verified ?? 0),
      }),
      { sent: 0, verified: 0 },
    );

  return (
    <section aria-label={title} className="space-y-4">
      <h2 className="text-sm font-medium text-slate-700">{title}</h2>
      {countries.length === 0 ? (
        <p className="text-sm text-slate-500">No codes sent in this period.</p>
      ) : (
        <ChartLegend series={series} />
      )}
      {countries.map((country) => {
        const total = totals(country);
        const buckets = aggregates.buckets.map((bucket) => {
          const counts = bucket.countries[country];
          const verified = Math.min(counts?.verified ?? 0, counts?.sent ?? 0);
          return { start: bucket.start, values: { verified, unverified: (counts?.sent ?? 0) - verified } };
        });
        return (
          <BarChart
            key={country}
            title={`${country}: ${total.sent} sent, ${total.verified} verified (${percent(total.verified, total.sent)})`}
            label={`${country}: ${total.sent} sent, ${total.verified} verified, conversion ${percent(total.verified, total.sent)}`}
            granularity={aggregates.granularity}
            buckets={buckets}
            series={series}
            unit="codes sent"
            heightClass="h-20"
            showLegend={false}
            describe={({ values }) => {
              const sent = (values.verified ?? 0) + (values.unverified ?? 0);
              return `${values.verified ?? 0} of ${sent} verified (${percent(values.verified ?? 0, sent)})`;
            }}
          />
        );
      })}
    </section>
  );
}
