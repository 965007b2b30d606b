import type { Metadata } from "next";
import Link from "next/link";
import { BlockActions } from "@/components/admin/block-actions";
import { ConversionChart } from "@/components/admin/conversion-chart";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableRow } from "@/components/ui/table";
import { requireAdminForPage } from "@/lib/admin/access";
import { countriesBySends, getFraudConsole } from "@/lib/admin/fraud";

export const metadata: Metadata = { title: "Fraud" };

export const dynamic = "force-dynamic";

/** Countries drawn in the conversion charts: the busiest. */
const CHARTED_COUNTRIES = 6;

const usd = (mills: number) => `$${(mills / 1000).toFixed(2)}`;
const percent = (verified: number, sent: number) =>
  sent === 0 ? "—" : `${Math.round((verified / sent) * 100)} %`;
const time = (at: number) => new Date(at).toISOString().slice(5, 16).replace("T", " ");

/**
 * The fraud console: what to read during SMS pumping, top first — conversion per country, the
 * ranges sending most, the automatic blocks with their evidence (Lift, Extend), spend against
 * its budgets, and what rules in shadow mode would have refused.
 */
export default async function AdminFraudPage() {
  await requireAdminForPage();
  const fraud = await getFraudConsole();

  return (
    <div className="space-y-6">
      <Card title="Conversion per country">
        <div className="space-y-6">
          <ConversionChart
            title="Codes verified of codes sent, per minute, last hour"
            aggregates={fraud.minutes}
            countries={countriesBySends(fraud.minutes).slice(0, CHARTED_COUNTRIES)}
          />
          <ConversionChart
            title="Codes verified of codes sent, per hour, last 24 hours"
            aggregates={fraud.hours}
            countries={countriesBySends(fraud.hours).slice(0, CHARTED_COUNTRIES)}
          />
        </div>
        <p className="mt-2 text-xs text-slate-500">
          Real people enter most of their codes; pumped codes are never entered. A country whose bars grow and
          go pale is being pumped.
        </p>
      </Card>

      <Card title="Automatic blocks in force">
        {fraud.blocks.length === 0 ? (
          <p className="text-sm text-slate-500">No range or country is blocked.</p>
        ) : (
          <Table caption="Automatic blocks in force" hideCaption scrollable className="min-w-[760px]">
            <TableHead columns={["Blocked", "Until (UTC)", "Evidence", "Strike", "Actions"]} />
            <TableBody>
              {fraud.blocks.map((block) => (
                <TableRow key={block.label}>
                  <TableCell header className="font-mono whitespace-nowrap">
                    {block.label}
                  </TableCell>
                  <TableCell className="whitespace-nowrap">{time(block.until)}</TableCell>
                  <TableCell>
                    {block.sends} sent, {block.verified} verified in {block.windowSeconds / 60} min; allowed{" "}
                    {block.allowedUnverified} unverified at {Math.round(block.baselineConversion * 100)} %
                    baseline conversion
                  </TableCell>
                  <TableCell>{block.strike}</TableCell>
                  <TableCell>
                    <BlockActions label={block.label} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>

      <Card title="Number ranges with the most sends (24 hours)">
        {fraud.hours.ranges.length === 0 ? (
          <p className="text-sm text-slate-500">No codes sent.</p>
        ) : (
          <Table caption="Number ranges with the most sends" hideCaption>
            <TableHead columns={["Range", "Sent", "Verified", "Conversion"]} />
            <TableBody>
              {fraud.hours.ranges.map((range) => (
                <TableRow key={range.range}>
                  <TableCell header className="font-mono">
                    <Link
                      href={`/admin/events?${new URLSearchParams({ prefix: range.range })}`}
                      className="text-indigo-700 hover:underline"
                    >
                      {range.range}
                    </Link>
                  </TableCell>
                  <TableCell>{range.sent}</TableCell>
                  <TableCell>{range.verified}</TableCell>
                  <TableCell>{percent(range.verified, range.sent)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <p className="mt-2 text-xs text-slate-500">
          Counted per hour for the ranges sending most: a range that entered a full hour may show a few sends
          more than it had.
        </p>
      </Card>

      <Card title="Estimated spend against budget">
        <Table caption="Estimated SMS spend now, against its budgets" hideCaption scrollable>
          <TableHead columns={["Scope", "Last hour", "Hour budget", "Last day", "Day budget"]} />
          <TableBody>
            {fraud.spend.map((row) => (
              <TableRow key={row.scope}>
                <TableCell header className="font-mono">
                  {row.scope === "all" ? "All countries" : row.scope}
                </TableCell>
                <TableCell>
                  <SpendBadge {...row.hour} />
                </TableCell>
                <TableCell>{usd(row.hour.budgetMills)}</TableCell>
                <TableCell>
                  <SpendBadge {...row.day} />
                </TableCell>
                <TableCell>{usd(row.day.budgetMills)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <p className="mt-2 text-xs text-slate-500">
          Sliding windows, at the prices in SMS_PRICES_USD; countries with sends in the last 24 hours.
        </p>
      </Card>

      <Card title="Shadow against enforced">
        <Table
          caption="Refusals enforced, and those rules in shadow mode would have made"
          hideCaption
          scrollable
        >
          <TableHead
            columns={[
              "Rule",
              "Mode",
              "Refused (1 h)",
              "Would refuse (1 h)",
              "Refused (24 h)",
              "Would refuse (24 h)",
              "Blocks begun (24 h)",
            ]}
          />
          <TableBody>
            {fraud.rules.map((rule) => (
              <TableRow key={rule.rule}>
                <TableCell header className="font-mono">
                  {rule.rule}
                </TableCell>
                <TableCell>
                  <Badge tone={rule.inShadow ? "warning" : "neutral"}>
                    {rule.inShadow ? "shadow" : "enforced"}
                  </Badge>
                </TableCell>
                <TableCell>{rule.hour.enforced}</TableCell>
                <TableCell>{rule.hour.shadow}</TableCell>
                <TableCell>{rule.day.enforced}</TableCell>
                <TableCell>{rule.day.shadow}</TableCell>
                <TableCell>{rule.day.blocks}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <p className="mt-2 text-xs text-slate-500">
          A rule in SHADOW_RULES refuses nothing and counts what it would have refused. Before enforcing one,
          see what it would have cost real users in a{" "}
          <Link href="/admin/backtest" className="text-indigo-700 underline">
            backtest
          </Link>
          .
        </p>
      </Card>
    </div>
  );
}

function SpendBadge({ usedMills, budgetMills }: { usedMills: number; budgetMills: number }) {
  const share = usedMills / budgetMills;
  return (
    <Badge tone={share >= 1 ? "danger" : share >= 0.8 ? "warning" : "neutral"}>
      {usd(usedMills)} ({Math.round(share * 100)} %)
    </Badge>
  );
}
