import { BarChart, okabeIto, type ChartSeries } from "@/components/admin/bar-chart";
import { ruleFamilies, ruleFamilyOf, ruleFilterGroups } from "@/lib/api/rule-filter";
import type { ThrottleAggregates } from "@/lib/api/admin";

/**
 * The families seen most during an attack get the eight plain colours; the rest share them,
 * striped. Fixed per family (not per chart), so `captcha.*` has one look on every chart.
 */
const plainFamilies = ["limit", "captcha", "destination", "fraud", "spend", "block", "hygiene", "code"];
const colours = Object.values(okabeIto);

function familySeries(family: string): ChartSeries {
  const plain = plainFamilies.indexOf(family);
  // `client_ip` is a rule of its own; `captcha.*` a family.
  const single = ruleFilterGroups
    .find((group) => group.family === family)
    ?.rules.every((rule) => rule === family);
  const label = single ? family : `${family}.*`;
  if (plain >= 0) return { key: family, label, colour: colours[plain]! };
  const other = ruleFamilies.filter((name) => !plainFamilies.includes(name)).indexOf(family);
  return other >= 0
    ? { key: family, label, colour: colours[other % colours.length]!, hatched: true }
    : { key: family, label, colour: "#64748b", hatched: true };
}

/**
 * Refusals per minute or hour, stacked by rule family (`captcha.*`, `limit.*`…), server-rendered
 * with no client JavaScript; each bar's details name its families, and "Show as a table" gives the
 * numbers. Shadow-mode counts and automatic blocks are not refusals and are left out.
 */
export function StackedBarChart({ title, aggregates }: { title: string; aggregates: ThrottleAggregates }) {
  const buckets = aggregates.buckets.map((bucket) => {
    const values: Record<string, number> = {};
    for (const [rule, count] of Object.entries(bucket.counts)) {
      if (rule.startsWith("@") || rule.includes(":")) continue;
      const family = ruleFamilyOf(rule);
      values[family] = (values[family] ?? 0) + count;
    }
    return { start: bucket.start, values };
  });
  const totals = new Map<string, number>();
  for (const { values } of buckets)
    for (const [family, count] of Object.entries(values))
      totals.set(family, (totals.get(family) ?? 0) + count);
  // The biggest family at the bottom of each bar, where its height is easiest to read.
  const series = [...totals]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([family]) => familySeries(family));

  return (
    <BarChart
      title={title}
      granularity={aggregates.granularity}
      buckets={buckets}
      series={series}
      unit="refusals"
    />
  );
}
