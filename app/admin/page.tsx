import type { Metadata } from "next";
import Link from "next/link";
import { StackedBarChart } from "@/components/admin/stacked-bar-chart";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableRow } from "@/components/ui/table";
import { requireAdminForPage } from "@/lib/admin/access";
import { getOverview } from "@/lib/admin/console";

export const metadata: Metadata = { title: "Overview" };

const percent = (rate: number | null) => (rate === null ? "—" : `${Math.round(rate * 100)} %`);

export default async function AdminOverviewPage() {
  await requireAdminForPage();
  const overview = await getOverview();
  const periods = [
    ["Last hour", overview.lastHour],
    ["Last 24 hours", overview.lastDay],
  ] as const;

  return (
    <div className="space-y-6">
      <Card title="Overview">
        <div className="mb-4 flex flex-wrap gap-2 text-sm">
          <Badge tone={overview.attackMode ? "danger" : "success"}>
            Attack mode: {overview.attackMode ? "on — proof of work raised" : "off"}
          </Badge>
          <Badge tone={overview.store.reachable ? "neutral" : "danger"}>
            Store: {overview.store.description}
            {overview.store.reachable ? "" : " — NOT REACHABLE"}
          </Badge>
          {overview.sandbox ? <Badge tone="warning">Sandbox: no SMS is sent</Badge> : null}
        </div>
        <Table caption="Traffic" hideCaption>
          <TableHead columns={["Period", "Codes sent", "Verified", "Conversion", "Refused"]} />
          <TableBody>
            {periods.map(([label, totals]) => (
              <TableRow key={label}>
                <TableCell header>{label}</TableCell>
                <TableCell>{totals.sent}</TableCell>
                <TableCell>{totals.verified}</TableCell>
                <TableCell>{percent(totals.conversionRate)}</TableCell>
                <TableCell>{totals.refused}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <p className="mt-2 text-xs text-slate-500">
          Conversion (verified ÷ sent) falls during SMS pumping: pumped codes are never entered.
        </p>
      </Card>
      <Card>
        <div className="space-y-6">
          <StackedBarChart title="Refusals per minute, last hour, by rule" aggregates={overview.minutes} />
          <StackedBarChart title="Refusals per hour, last 24 hours, by rule" aggregates={overview.hours} />
        </div>
      </Card>
      <Card title="Top sources of refusals (24 hours)">
        <div className="grid gap-4 sm:grid-cols-2">
          {(
            [
              ["Addresses", "ip"],
              ["Networks", "subnet"],
              ["Number prefixes", "prefix"],
              ["Countries", "country"],
            ] as const
          ).map(([label, dimension]) => (
            <section key={dimension}>
              <h2 className="mb-1 text-sm font-semibold">{label}</h2>
              {overview.hours.top[dimension].length === 0 ? (
                <p className="text-sm text-slate-500">None.</p>
              ) : (
                <ol className="space-y-1 text-sm">
                  {overview.hours.top[dimension].map(({ value, count }) => (
                    <li key={value} className="flex justify-between gap-2">
                      <Link
                        href={`/admin/events?${new URLSearchParams({ [dimension === "subnet" ? "ip" : dimension]: value })}`}
                        className="truncate font-mono text-indigo-700 hover:underline"
                      >
                        {value}
                      </Link>
                      <span>{count}</span>
                    </li>
                  ))}
                </ol>
              )}
            </section>
          ))}
        </div>
      </Card>
    </div>
  );
}
