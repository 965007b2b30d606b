import type { CSSProperties } from "react";
import { Table, TableBody, TableCell, TableHead, TableRow } from "@/components/ui/table";

/**
 * A stacked bar chart drawn by the server in HTML and CSS: no client JavaScript, and text that stays
 * readable at any width (an SVG scaled to a phone shrinks its labels with it). Hand-written because
 * the chart libraries that render accessible markup need client JavaScript (Recharts, Chart.js) or
 * leave the axes, focus and table to the caller anyway (visx); this is a few dozen lines.
 *
 * What it gives a reader: a colour and a pattern per series with a legend (colour is never the only
 * cue), a y-axis scale, time labels, hover and keyboard focus on every non-empty bar with its
 * details, and the numbers as a table (for screen readers and for copying).
 */

export type ChartSeries = {
  key: string;
  label: string;
  /** A colour of the Okabe–Ito palette (see `seriesStyle`). */
  colour: string;
  /** Diagonal stripes over the colour, for series that share one. */
  hatched?: boolean;
};

export type ChartBucket = {
  /** Epoch ms. */
  start: number;
  values: Record<string, number>;
};

/**
 * Okabe & Ito's palette (https://jfly.uni-koeln.de/color/), distinguishable with every common
 * colour-vision deficiency; the chart adds a pattern for anything beyond its eight colours.
 */
export const okabeIto = {
  orange: "#E69F00",
  skyBlue: "#56B4E9",
  bluishGreen: "#009E73",
  vermillion: "#D55E00",
  reddishPurple: "#CC79A7",
  blue: "#0072B2",
  yellow: "#F0E442",
  black: "#000000",
} as const;

/** The fill of a series: its colour, striped with white when `hatched`. */
export function seriesStyle(series: Pick<ChartSeries, "colour" | "hatched">): CSSProperties {
  return series.hatched
    ? {
        backgroundColor: series.colour,
        backgroundImage:
          "repeating-linear-gradient(135deg, transparent 0 3px, rgba(255,255,255,0.85) 3px 5px)",
      }
    : { backgroundColor: series.colour };
}

/** 1, 2 or 5 × 10ⁿ: a step that gives about four gridlines up to `max`. */
export function niceScale(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough)!;
  const whole = Math.max(1, Math.round(step));
  return { top: Math.ceil(max / whole) * whole, step: whole };
}

const iso = (at: number) => new Date(at).toISOString();

/** `08:15` for minutes, `14:00` for hours (with the date where a day begins, and first). */
export function bucketLabel(granularity: "minute" | "hour", start: number, first = false): string {
  const text = iso(start);
  if (granularity === "minute") return text.slice(11, 16);
  return first || text.slice(11, 13) === "00"
    ? `${text.slice(5, 10)} ${text.slice(11, 16)}`
    : text.slice(11, 16);
}

export function BarChart({
  title,
  granularity,
  buckets,
  series,
  unit,
  describe,
  label,
  heightClass = "h-40",
  showLegend = true,
}: {
  title: string;
  /** The bars' accessible name; defaults to the title and the total. */
  label?: string;
  granularity: "minute" | "hour";
  /** Oldest first, empty buckets included. */
  buckets: ChartBucket[];
  /** Bottom first. */
  series: ChartSeries[];
  /** What a bar counts, plural: "refusals", "codes sent". */
  unit: string;
  /** The details of one bucket, after its time: defaults to the total and each series' count. */
  describe?: (bucket: ChartBucket) => string;
  heightClass?: string;
  showLegend?: boolean;
}) {
  const total = (bucket: ChartBucket) => series.reduce((sum, { key }) => sum + (bucket.values[key] ?? 0), 0);
  const { top, step } = niceScale(Math.max(0, ...buckets.map(total)));
  const ticks = Array.from({ length: Math.floor(top / step) + 1 }, (_, index) => index * step);
  // About six time labels, whatever the number of buckets.
  const labelEvery = Math.max(1, Math.ceil(buckets.length / 6));
  const details = (bucket: ChartBucket) =>
    describe?.(bucket) ??
    [
      `${total(bucket)} ${unit}`,
      ...series
        .filter(({ key }) => bucket.values[key])
        .map(({ key, label }) => `${label} ${bucket.values[key]}`),
    ].join(", ");
  const busy = buckets.filter((bucket) => total(bucket) > 0);
  const when = (bucket: ChartBucket) => `${bucketLabel(granularity, bucket.start, true)} UTC`;

  return (
    <figure className="space-y-2">
      <figcaption className="text-sm font-medium text-slate-700">{title}</figcaption>
      <div className="grid grid-cols-[2.5rem_minmax(0,1fr)] gap-x-1">
        {/* The y axis: gridline labels, top to bottom. */}
        <div aria-hidden="true" className={`relative ${heightClass} text-right text-xs text-slate-600`}>
          {ticks.map((tick) => (
            <span
              key={tick}
              className="absolute right-0 -translate-y-1/2 leading-none"
              style={{ top: `${100 - (tick / top) * 100}%` }}
            >
              {tick}
            </span>
          ))}
        </div>
        <div
          role="group"
          aria-label={label ?? `${title}: ${buckets.reduce((sum, bucket) => sum + total(bucket), 0)} ${unit}`}
          className={`relative ${heightClass} border-b border-l border-slate-400`}
        >
          {ticks.slice(1).map((tick) => (
            <div
              key={tick}
              aria-hidden="true"
              className="absolute inset-x-0 border-t border-dashed border-slate-200"
              style={{ top: `${100 - (tick / top) * 100}%` }}
            />
          ))}
          <div className="absolute inset-0 flex items-end gap-px px-px">
            {buckets.map((bucket, index) => {
              const sum = total(bucket);
              if (sum === 0) return <div key={bucket.start} className="h-full flex-1" />;
              const text = `${when(bucket)}: ${details(bucket)}`;
              return (
                <div
                  key={bucket.start}
                  role="img"
                  tabIndex={0}
                  aria-label={text}
                  title={text}
                  className="group relative flex h-full flex-1 flex-col-reverse outline-offset-1 focus-visible:outline-2 focus-visible:outline-indigo-700"
                >
                  {series.map((entry) => {
                    const value = bucket.values[entry.key] ?? 0;
                    if (value === 0) return null;
                    return (
                      <div
                        key={entry.key}
                        className="w-full shadow-[inset_0_0_0_0.5px_rgba(15,23,42,0.6)]"
                        style={{ ...seriesStyle(entry), height: `${(value / top) * 100}%` }}
                      />
                    );
                  })}
                  {/* Shown on hover and on keyboard focus; the label above says the same to screen readers. */}
                  <div
                    aria-hidden="true"
                    className={`pointer-events-none absolute bottom-full z-10 mb-1 hidden w-48 rounded bg-slate-900 px-2 py-1 text-xs text-white shadow group-hover:block group-focus:block ${
                      index < buckets.length / 2 ? "left-0" : "right-0"
                    }`}
                  >
                    <div className="font-semibold">{when(bucket)}</div>
                    {details(bucket)}
                  </div>
                </div>
              );
            })}
          </div>
        </div>
        {/* The time axis. */}
        <div aria-hidden="true" className="relative col-start-2 h-5 text-xs text-slate-600">
          {buckets.map((bucket, index) =>
            index % labelEvery === 0 ? (
              <span
                key={bucket.start}
                className="absolute top-1 whitespace-nowrap"
                style={
                  index < buckets.length * 0.8
                    ? { left: `${(index / buckets.length) * 100}%` }
                    : { right: `${100 - (index / buckets.length) * 100}%` }
                }
              >
                {bucketLabel(granularity, bucket.start, index === 0)}
              </span>
            ) : null,
          )}
        </div>
      </div>
      {showLegend ? <ChartLegend series={series} /> : null}
      {busy.length === 0 ? (
        <p className="text-sm text-slate-500">No {unit} in this period.</p>
      ) : (
        <details className="text-sm">
          <summary className="cursor-pointer text-indigo-700">Show as a table</summary>
          <Table caption={title} hideCaption>
            <TableHead columns={["Time (UTC)", ...series.map(({ label }) => label), "Total"]} />
            <TableBody>
              {busy.map((bucket) => (
                <TableRow key={bucket.start}>
                  <TableCell header className="whitespace-nowrap">
                    {bucketLabel(granularity, bucket.start, true)}
                  </TableCell>
                  {series.map(({ key }) => (
                    <TableCell key={key}>{bucket.values[key] ?? 0}</TableCell>
                  ))}
                  <TableCell>{total(bucket)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </details>
      )}
    </figure>
  );
}

/** The series' names beside their colour and pattern (the bars' labels say them too). */
export function ChartLegend({ series }: { series: ChartSeries[] }) {
  if (series.length === 0) return null;
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700" aria-label="Legend">
      {series.map((entry) => (
        <li key={entry.key} className="flex items-center gap-1">
          <span
            aria-hidden="true"
            className="inline-block h-3 w-4 rounded-sm ring-1 ring-slate-700/60"
            style={seriesStyle(entry)}
          />
          {entry.label}
        </li>
      ))}
    </ul>
  );
}
