import Link from "next/link";
import { StackedBarChart } from "@/components/admin/stacked-bar-chart";
import { Card } from "@/components/ui/card";
import { requireAdminForPage } from "@/lib/admin/access";
import { getOverview } from "@/lib/admin/console";

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
          <span
            className={`rounded px-2 py-1 ${overview.attackMode ? "bg-red-100 text-red-800" : "bg-emerald-100 text-emerald-800"}`}
          >
            Attack mode: {overview.attackMode ? "on — proof of work raised" : "off"}
          </span>
          <span
            className={`rounded px-2 py-1 ${overview.store.reachable ? "bg-slate-100" : "bg-red-100 text-red-800"}`}
          >
            Store: {overview.store.description}
            {overview.store.reachable ? "" : " — NOT REACHABLE"}
          </span>
          {overview.sandbox ? (
            <span className="rounded bg-amber-100 px-2 py-1 text-amber-900">Sandbox: no SMS is sent</span>
          ) : null}
        </div>
        <table className="w-full text-sm">
          <caption className="sr-only">Traffic</caption>
          <thead>
            <tr className="text-left text-slate-500">
              <th scope="col">Period</th>
              <th scope="col">Codes sent</th>
              <th scope="col">Verified</th>
              <th scope="col">Conversion</th>
              <th scope="col">Refused</th>
            </tr>
          </thead>
          <tbody>
            {periods.map(([label, totals]) => (
              <tr key={label}>
                <th scope="row" className="py-1 text-left font-medium">
                  {label}
                </th>
                <td>{totals.sent}</td>
                <td>{totals.verified}</td>
                <td>{percent(totals.conversionRate)}</td>
                <td>{totals.refused}</td>
              </tr>
            ))}
          </tbody>
        </table>
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
