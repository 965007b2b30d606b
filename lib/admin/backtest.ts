import "server-only";
import { config, type SpendBudgetName } from "@/lib/config";
import {
  currentSendPolicySettings,
  replayableSendBudgets,
  replayedCredit,
  type ReplayedSend,
  type SendPolicySettings,
} from "@/lib/defenses/limits";
import { getThrottleEventLog } from "@/lib/events";
import type { TrafficRecord } from "@/lib/events/types";
import { createMemoryBudgetStore } from "@/lib/store/budgets";
import { createMemoryKeyValueStore } from "@/lib/store/memory-store";
import {
  backtestQuerySchema,
  type BacktestOutcome,
  type BacktestQuery,
  type BacktestReport,
} from "@/lib/api/admin";
import { AppError } from "@/lib/http/errors";
import { requireAdminForApi } from "./access";

/**
 * Backtests: "what would these settings have refused?" The stored traffic records (sends and
 * verified codes, lib/events) are fed in time order into an in-memory budget store whose clock is
 * each record's time — the same decision code the app runs — deciding every send against the
 * proposed budgets and crediting a verified code when its time comes, if its send was admitted.
 *
 * What it cannot see (README, "Fraud console and backtests"): sends the policy in force refused
 * were never recorded, so a looser proposal cannot show the traffic it would let through; and a
 * record keeps no number and no address, so the number's and the address's own budgets are not
 * replayed.
 */

const DAY_MS = 86_400_000;
const RECORDS_KEPT = config.backtest.recordsKept.value;

/** Reads the backtest form's query (`run` only says to run it); 400 naming each bad field. */
export function parseBacktestQuery(params: URLSearchParams): BacktestQuery {
  const given = Object.fromEntries([...params].filter(([name]) => name !== "run"));
  const result = backtestQuerySchema.safeParse(given);
  if (!result.success) {
    const fields = Object.fromEntries(
      result.error.issues.map((issue) => [issue.path.join(".") || "query", issue.message]),
    );
    throw new AppError("bad_request", Object.values(fields)[0] ?? "Invalid proposal.", { fields });
  }
  return result.data;
}

/** The proposal a backtest query makes: the settings in force, with the fields it gives replaced. */
export function proposedSettings(
  query: BacktestQuery,
  current = currentSendPolicySettings(),
): SendPolicySettings {
  const usd = (value: number | undefined, name: SpendBudgetName) =>
    value === undefined ? current.spendMills[name] : Math.round(value * 1000);
  const limit = (name: "send.prefix" | "send.country", value: number | undefined) =>
    value === undefined ? current.limits[name] : { ...current.limits[name], limit: value };
  return {
    fraud: {
      rangeFloor: query.rangeFloor ?? current.fraud.rangeFloor,
      countryFloor: query.countryFloor ?? current.fraud.countryFloor,
      rangeDayFloor: current.fraud.rangeDayFloor,
      countryDayFloor: current.fraud.countryDayFloor,
      rangeSlack: query.rangeSlack ?? current.fraud.rangeSlack,
      countrySlack: query.countrySlack ?? current.fraud.countrySlack,
    },
    spendMills: {
      "global.hour": usd(query.globalHourUsd, "global.hour"),
      "global.day": usd(query.globalDayUsd, "global.day"),
      "country.hour": usd(query.countryHourUsd, "country.hour"),
      "country.day": usd(query.countryDayUsd, "country.day"),
    },
    limits: {
      ...current.limits,
      "send.prefix": limit("send.prefix", query.prefixLimit),
      "send.country": limit("send.country", query.countryLimit),
    },
  };
}

/** Runs a backtest of the query's proposal over the last `days` of stored traffic. Admins only. */
export async function runBacktest(query: BacktestQuery, now = Date.now()): Promise<BacktestReport> {
  await requireAdminForApi();
  const days = query.days ?? 7;
  const from = now - days * DAY_MS;
  const records = await getThrottleEventLog().trafficRecords({ from, limit: RECORDS_KEPT });
  const started = performance.now();
  const [proposal, current] = [
    await replayTraffic(records, proposedSettings(query)),
    await replayTraffic(records, currentSendPolicySettings()),
  ];
  return {
    days,
    from,
    to: now,
    records: records.length,
    capped: records.length >= RECORDS_KEPT,
    proposal,
    current,
    runMs: Math.round(performance.now() - started),
  };
}

/**
 * Replays `records` against `settings` with a fake clock, oldest first. A verified code whose send
 * is not among the records (it came before them) is ignored; one whose send the replay refused
 * counts that send as a legitimate user hurt.
 */
export async function replayTraffic(
  records: TrafficRecord[],
  settings: SendPolicySettings,
): Promise<BacktestOutcome> {
  const ordered = [...records].sort((a, b) => a.at - b.at);
  let clock = ordered[0]?.at ?? 0;
  const kv = createMemoryKeyValueStore(() => clock);
  const budgets = createMemoryBudgetStore(kv, () => clock);
  const verifiedIds = new Set(
    ordered.filter((record) => record.outcome === "verified").map((r) => r.pendingId),
  );
  /** Sends admitted by the replay and not yet verified, by pending id. */
  const admitted = new Map<string, ReplayedSend>();
  const outcome: BacktestOutcome = {
    sends: 0,
    verified: 0,
    spendMills: 0,
    refused: 0,
    refusedByRule: {},
    refusedLaterVerified: 0,
    savedMills: 0,
    blocksByRule: {},
  };
  const add = (counts: Record<string, number>, rule: string) => (counts[rule] = (counts[rule] ?? 0) + 1);

  for (const record of ordered) {
    clock = record.at;
    if (record.outcome === "verified") {
      const send = admitted.get(record.pendingId);
      if (!send) continue;
      admitted.delete(record.pendingId);
      await budgets.settle({
        ownership: { key: `replay:${record.pendingId}`, equals: 1 },
        credit: replayedCredit(send, settings),
      });
      continue;
    }
    const verified = verifiedIds.has(record.pendingId);
    outcome.sends += 1;
    outcome.spendMills += record.priceMills;
    if (verified) outcome.verified += 1;
    const entries = replayableSendBudgets(record, settings);
    const decision = await budgets.decide({
      checks: entries.map((entry) => entry.check),
      // What the credit settles on, as a real send's code ownership (kept as long as the replay).
      onAllowed: [
        { key: `replay:${record.pendingId}`, value: 1, ttlSeconds: config.backtest.longestReplay.value },
      ],
    });
    for (const { index } of decision.gate === undefined ? decision.blocked : [])
      add(outcome.blocksByRule, entries[index]!.rule);
    if (decision.allowed) {
      admitted.set(record.pendingId, record);
    } else if (decision.gate === undefined) {
      outcome.refused += 1;
      add(outcome.refusedByRule, entries[decision.refusedBy]!.rule);
      if (verified) outcome.refusedLaterVerified += 1;
      else outcome.savedMills += record.priceMills;
    }
  }
  return outcome;
}
