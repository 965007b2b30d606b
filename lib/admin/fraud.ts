import "server-only";
import { config } from "@/lib/config";
import { conversionBudgetOfLabel, spendBudgetsOf } from "@/lib/defenses/limits";
import { getEnv } from "@/lib/env";
import { getThrottleEventLog, type ThrottleAggregates } from "@/lib/events";
import type { TrafficAggregates } from "@/lib/events/types";
import { AppError } from "@/lib/http/errors";
import type { RuleName } from "@/lib/http/refusals";
import { getBackend, type AutoBlock } from "@/lib/store";
import { requireAdminForApi } from "./access";
import { recordAdminAction } from "./audit";

/**
 * The fraud console's data (app/admin/fraud): conversion per country and per number range, the
 * automatic blocks in force with their evidence, estimated spend against its budgets, and shadow
 * against enforced refusals. Every function checks that the caller is an admin where it reads.
 */

export type SpendUsage = {
  /** `all` for the global budgets, or a country. */
  scope: string;
  hour: { usedMills: number; budgetMills: number };
  day: { usedMills: number; budgetMills: number };
};

export type RuleModes = {
  rule: string;
  inShadow: boolean;
  hour: { enforced: number; shadow: number; blocks: number };
  day: { enforced: number; shadow: number; blocks: number };
};

export type FraudConsole = {
  minutes: TrafficAggregates;
  hours: TrafficAggregates;
  blocks: AutoBlock[];
  spend: SpendUsage[];
  rules: RuleModes[];
};

/** Blocks listed at most: the newest-ending first. */
const BLOCKS_SHOWN = 100;
/** Countries whose spend is shown besides the total: those with the most sends in 24 hours. */
const SPEND_COUNTRIES_SHOWN = 30;
/** Rules the shadow table always lists: the fraud defenses, which SHADOW_RULES is meant for. */
const FRAUD_RULES: RuleName[] = [
  "fraud.range",
  "fraud.country",
  "spend.country.hour",
  "spend.country.day",
  "spend.global.hour",
  "spend.global.day",
];

export async function getFraudConsole(now = Date.now()): Promise<FraudConsole> {
  await requireAdminForApi();
  const log = getThrottleEventLog();
  const { budgets } = getBackend();
  const [minutes, hours, refusalMinutes, refusalHours, blocks] = await Promise.all([
    log.traffic({ granularity: "minute", buckets: 60, now }),
    log.traffic({ granularity: "hour", buckets: 24, now }),
    log.aggregate({ granularity: "minute", buckets: 60, now }),
    log.aggregate({ granularity: "hour", buckets: 24, now }),
    budgets.listBlocks(BLOCKS_SHOWN),
  ]);
  const countries = countriesBySends(hours).slice(0, SPEND_COUNTRIES_SHOWN);
  const scopes = [null, ...countries];
  const spendBudgets = scopes.flatMap((country) => spendBudgetsOf(country));
  // One round trip for every budget's use.
  const used = await budgets.usage(spendBudgets.map(({ budget }) => budget));
  const spend = scopes.map((country, index) => ({
    scope: country ?? "all",
    hour: { usedMills: used[2 * index]!.used, budgetMills: spendBudgets[2 * index]!.budget.limit },
    day: { usedMills: used[2 * index + 1]!.used, budgetMills: spendBudgets[2 * index + 1]!.budget.limit },
  }));
  return { minutes, hours, blocks, spend, rules: ruleModes(refusalMinutes, refusalHours) };
}

/** Countries seen in the period, most sends first (known countries only: `??` has no budget). */
export function countriesBySends(aggregates: TrafficAggregates): string[] {
  const sends = new Map<string, number>();
  for (const bucket of aggregates.buckets) {
    for (const [country, counts] of Object.entries(bucket.countries))
      if (/^[A-Z]{2}$/.test(country)) sends.set(country, (sends.get(country) ?? 0) + counts.sent);
  }
  return [...sends].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([country]) => country);
}

/** Per rule, refusals enforced against those a rule in shadow mode would have made, and blocks begun. */
function ruleModes(minutes: ThrottleAggregates, hours: ThrottleAggregates): RuleModes[] {
  const sum = (aggregates: ThrottleAggregates) => {
    const counts = new Map<string, number>();
    for (const bucket of aggregates.buckets)
      for (const [key, count] of Object.entries(bucket.counts))
        counts.set(key, (counts.get(key) ?? 0) + count);
    return counts;
  };
  const hour = sum(minutes);
  const day = sum(hours);
  const { shadowRules } = getEnv().fraud;
  const rules = new Set<string>([...FRAUD_RULES, ...shadowRules]);
  for (const key of day.keys()) if (key.startsWith("shadow:")) rules.add(key.slice("shadow:".length));
  const modes = (counts: Map<string, number>, rule: string) => ({
    enforced: counts.get(rule) ?? 0,
    shadow: counts.get(`shadow:${rule}`) ?? 0,
    blocks: counts.get(`auto_block:${rule}`) ?? 0,
  });
  return [...rules].sort().map((rule) => ({
    rule,
    inShadow: shadowRules.has(rule as RuleName),
    hour: modes(hour, rule),
    day: modes(day, rule),
  }));
}

/** The conversion budget a block's label names; 404 for a label that names none. */
function budgetOfLabel(label: string) {
  const budget = conversionBudgetOfLabel(label);
  if (!budget) throw new AppError("not_found", "No such block.");
  return budget;
}

/** Ends an automatic block now. Admins only; audited. False when no such block is in force. */
export async function liftBlock(label: string): Promise<boolean> {
  const session = await requireAdminForApi();
  const lifted = await getBackend().budgets.setBlock(budgetOfLabel(label), 0);
  if (lifted) await recordAdminAction(session, { action: "lift block", target: label });
  return lifted;
}

/** Keeps an automatic block for `seconds` from now. Admins only; audited. Null when none is in force. */
export async function extendBlock(label: string, seconds: number): Promise<{ until: number } | null> {
  const session = await requireAdminForApi();
  const until = Date.now() + seconds * 1000;
  if (!(await getBackend().budgets.setBlock(budgetOfLabel(label), seconds))) return null;
  await recordAdminAction(session, {
    action: "extend block",
    target: label,
    detail: `until ${new Date(until).toISOString()}`,
  });
  return { until };
}

export const CONSOLE_RANGES_SHOWN = config.traffic.rangesShown.value;
