import type { Metadata } from "next";
import { BacktestForm } from "@/components/admin/backtest-form";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableRow } from "@/components/ui/table";
import { requireAdminForPage } from "@/lib/admin/access";
import { parseBacktestQuery, runBacktest } from "@/lib/admin/backtest";
import type { BacktestOutcome, BacktestReport } from "@/lib/api/admin";
import type { ApiError } from "@/lib/api/errors";
import { currentSendPolicySettings } from "@/lib/defenses/limits";
import { AppError } from "@/lib/http/errors";

export const metadata: Metadata = { title: "Backtest" };

export const dynamic = "force-dynamic";

const usd = (mills: number) => `$${(mills / 1000).toFixed(2)}`;
const day = (at: number) => new Date(at).toISOString().slice(0, 16).replace("T", " ");

/**
 * Backtests: replay a proposed setting over the stored traffic of the last days and show what it
 * would have refused, whom it would have hurt and what it would have saved, beside the settings
 * in force.
 */
export default async function AdminBacktestPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string>>;
}) {
  await requireAdminForPage();
  const params = new URLSearchParams(await searchParams);
  let report: BacktestReport | null = null;
  let problem: ApiError | null = null;
  if (params.has("run")) {
    try {
      report = await runBacktest(parseBacktestQuery(params));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "bad_request") throw error;
      problem = { code: error.code, message: error.message, fields: error.details.fields };
    }
  }
  const settings = currentSendPolicySettings();
  const current = {
    days: "7",
    rangeFloor: String(settings.fraud.rangeFloor),
    countryFloor: String(settings.fraud.countryFloor),
    rangeSlack: String(settings.fraud.rangeSlack),
    countrySlack: String(settings.fraud.countrySlack),
    prefixLimit: String(settings.limits["send.prefix"].limit),
    countryLimit: String(settings.limits["send.country"].limit),
    countryHourUsd: String(settings.spendMills["country.hour"] / 1000),
    countryDayUsd: String(settings.spendMills["country.day"] / 1000),
    globalHourUsd: String(settings.spendMills["global.hour"] / 1000),
    globalDayUsd: String(settings.spendMills["global.day"] / 1000),
  };
  const values = Object.fromEntries([...params].filter(([name]) => name !== "run"));

  return (
    <div className="space-y-6">
      <Card title="Backtest">
        <p className="mb-4 text-sm text-slate-600">
          Replays the sends and verified codes of the last days against a proposal, in time order, and shows
          what it would have refused. Blank fields keep the setting in force.
        </p>
        <BacktestForm key={params.toString()} values={values} current={current} problem={problem} />
      </Card>
      {report ? <BacktestResult report={report} /> : null}
    </div>
  );
}

function BacktestResult({ report }: { report: BacktestReport }) {
  const rows: [string, (outcome: BacktestOutcome) => string | number][] = [
    ["Sends replayed", (outcome) => outcome.sends],
    ["Of those, verified in the history", (outcome) => outcome.verified],
    ["Estimated cost of the sends", (outcome) => usd(outcome.spendMills)],
    ["Would refuse", (outcome) => outcome.refused],
    ["Of those, later verified (real users hurt)", (outcome) => outcome.refusedLaterVerified],
    ["Estimated money saved (refused, never verified)", (outcome) => usd(outcome.savedMills)],
    [
      "Refused by rule",
      (outcome) =>
        Object.entries(outcome.refusedByRule)
          .map(([rule, count]) => `${rule}: ${count}`)
          .join(", ") || "—",
    ],
    [
      "Automatic blocks begun",
      (outcome) =>
        Object.entries(outcome.blocksByRule)
          .map(([rule, count]) => `${rule}: ${count}`)
          .join(", ") || "—",
    ],
  ];
  return (
    <Card title="Backtest result">
      <p className="mb-3 text-sm text-slate-600">
        {report.records} records from {day(report.from)} to {day(report.to)} UTC ({report.days} days),
        replayed twice in {report.runMs} ms.
      </p>
      {report.capped ? (
        <div className="mb-3">
          <Alert tone="info">
            The stored records are capped: the replay starts later than asked, at the oldest record kept.
          </Alert>
        </div>
      ) : null}
      <Table caption="What the proposal would have done, beside the settings in force" hideCaption>
        <TableHead columns={["", "Proposal", "Settings in force"]} />
        <TableBody>
          {rows.map(([label, value]) => (
            <TableRow key={label}>
              <TableCell header>{label}</TableCell>
              <TableCell>{value(report.proposal)}</TableCell>
              <TableCell>{value(report.current)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <p className="mt-2 text-xs text-slate-500">
        Only sends the policy in force admitted are stored, and a record keeps no number or address: the
        number&apos;s and the address&apos;s own limits are not replayed, and a looser proposal cannot show
        the traffic it would have let through.
      </p>
    </Card>
  );
}
