import type { ThrottleAggregates } from "@/lib/api/admin";

const palette = ["#4f46e5", "#db2777", "#ea580c", "#16a34a", "#0891b2", "#9333ea", "#ca8a04", "#64748b"];

/**
 * Refusals per bucket, stacked by rule, as server-rendered SVG (no client JavaScript). The
 * numbers are also given as a table for screen readers and for copying.
 */
export function StackedBarChart({ title, aggregates }: { title: string; aggregates: ThrottleAggregates }) {
  const rules = [
    ...new Set(
      aggregates.buckets.flatMap((bucket) =>
        Object.keys(bucket.counts).filter((rule) => !rule.startsWith("@")),
      ),
    ),
  ].sort();
  const totals = aggregates.buckets.map((bucket) =>
    rules.reduce((sum, rule) => sum + (bucket.counts[rule] ?? 0), 0),
  );
  const max = Math.max(1, ...totals);
  const width = 600;
  const height = 160;
  const barWidth = width / aggregates.buckets.length;
  const label = (start: number) =>
    new Date(start)
      .toISOString()
      .slice(aggregates.granularity === "minute" ? 11 : 5, 16)
      .replace("T", " ");

  return (
    <figure className="space-y-2">
      <figcaption className="text-sm font-medium text-slate-700">{title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-40 w-full"
        role="img"
        aria-label={`${title}: ${totals.reduce((a, b) => a + b, 0)} refusals`}
      >
        <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} stroke="#cbd5e1" />
        {aggregates.buckets.map((bucket, index) => {
          let y = height;
          return (
            <g key={bucket.start}>
              <title>{`${label(bucket.start)} UTC: ${totals[index]} refused`}</title>
              {rules.map((rule, ruleIndex) => {
                const count = bucket.counts[rule] ?? 0;
                if (count === 0) return null;
                const barHeight = (count / max) * (height - 4);
                y -= barHeight;
                return (
                  <rect
                    key={rule}
                    x={index * barWidth + 1}
                    y={y}
                    width={Math.max(1, barWidth - 2)}
                    height={barHeight}
                    fill={palette[ruleIndex % palette.length]}
                  />
                );
              })}
            </g>
          );
        })}
      </svg>
      <ul className="flex flex-wrap gap-3 text-xs text-slate-600" aria-label="Rules">
        {rules.length === 0 ? <li>No refusals in this period.</li> : null}
        {rules.map((rule, ruleIndex) => (
          <li key={rule} className="flex items-center gap-1">
            <span
              aria-hidden="true"
              className="inline-block h-3 w-3 rounded-sm"
              style={{ background: palette[ruleIndex % palette.length] }}
            />
            {rule}
          </li>
        ))}
      </ul>
    </figure>
  );
}
