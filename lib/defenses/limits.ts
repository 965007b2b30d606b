import "server-only";
import type { IpRateLimitKeys } from "@/lib/client-ip/strategies";
import { config, growingDelays, type LimitName, type SpendBudgetName } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { refusal, type AppError } from "@/lib/http/errors";
import type { RuleName } from "@/lib/http/refusals";
import type { Destination } from "@/lib/phone";
import {
  getBackend,
  type AutoBlock,
  type BackoffBudget,
  type Budget,
  type BudgetCheck,
  type BudgetDecision,
  type BudgetRequest,
  type ConversionBudget,
  type SettleRequest,
} from "@/lib/store";
import type { WindowBudget } from "@/lib/store/types";
import type { CaptchaClaim } from "./captcha";

/**
 * The limits of sending and checking codes, as data: each decision is an ordered list of named
 * budgets, decided together in one atomic store call (check all, then charge all). So a request
 * refused by any budget spends none of the others — in particular an attacker's refused request
 * never spends a victim number's budgets — and concurrent requests cannot slip past a growing
 * delay together.
 *
 * What a refusal tells the client: `429 rate_limited` with `Retry-After`, never which budget
 * fired (the throttle event says). For budgets of the number itself — which other browsers share —
 * `Retry-After` is a fixed value, so it says nothing about when anyone else asked for or checked
 * a code (README, "Security notes").
 */

type Entry = {
  /** The rule name in throttle events (lib/http/refusals.ts); the attack detector never refuses. */
  rule: RuleName | "captcha.attack_detector";
  budget: Budget;
  role: BudgetCheck["role"];
  /** Charged even when the decision refuses: the sender's own address budgets. */
  chargeOnRefusal?: boolean;
  /** A budget of the number, shared with other browsers: its timing is not disclosed. */
  numberScoped?: boolean;
  /** A rule in shadow mode (observing in place of refusing). */
  shadow?: boolean;
};

const windowBudget = (name: LimitName, identifier: string, limits = getEnv().limits): Budget => ({
  kind: "window",
  key: `limit:${name}:${identifier}`,
  ...limits[name],
});

const limit = (name: LimitName, identifier: string, options: Omit<Entry, "rule" | "budget">): Entry => ({
  rule: `limit.${name}` as const,
  budget: windowBudget(name, identifier),
  ...options,
});

const resendDelay = (phone: string): BackoffBudget => ({
  kind: "backoff",
  key: `backoff:resend:${phone}`,
  baseSeconds: getEnv().otp.resendIntervalSeconds,
  ...growingDelays.resend,
});

const checkDelay = (phone: string): BackoffBudget => ({
  kind: "backoff",
  key: `backoff:check:${phone}`,
  ...growingDelays.check,
});

/** What a send is limited by. Every field is already validated and canonical. */
export type SendSubject = {
  /** This browser signed in with `phone` before: it may use the number's reserve. */
  knownDevice: boolean;
  /** An operator put the number (or a prefix of it) on the safe list: its own limits do not apply. */
  safeListed: boolean;
  ipKeys: IpRateLimitKeys;
  destination: Destination;
};

/**
 * The conversion budget of a number range or a destination country (lib/store/types.ts,
 * `ConversionBudget`): real people enter their codes, pumped codes are never entered, so a level
 * whose unverified sends outgrow its verified ones — beyond its own normal — is refused, and at
 * volume blocked for a while that grows on repeat.
 */
function conversionBudget(
  level: "range" | "country",
  id: string,
  fraud: FraudSettings = getEnv().fraud,
  period: "hour" | "day" = "hour",
): ConversionBudget {
  const settings = config.fraud;
  const floor =
    period === "hour"
      ? level === "range"
        ? fraud.rangeFloor
        : fraud.countryFloor
      : level === "range"
        ? fraud.rangeDayFloor
        : fraud.countryDayFloor;
  const steps: number[] = [];
  for (let seconds = settings.firstBlock.value; ; seconds *= settings.blockGrowth.value) {
    steps.push(Math.min(seconds, settings.longestBlock.value));
    if (seconds >= settings.longestBlock.value) break;
  }
  const day = period === "day";
  return {
    kind: "conversion",
    key: `fraud:${level}${day ? ".day" : ""}:${id}`,
    windowSeconds: day ? settings.dayWindow.value : settings.window.value,
    floor,
    baselineSeconds: settings.baseline.value,
    baselineMinSends: settings.baselineMinSends.value,
    defaultConversion: settings.defaultConversion.value / 100,
    slack: level === "range" ? fraud.rangeSlack : fraud.countrySlack,
    maxRatio: settings.maxRatio.value,
    block: {
      stepsSeconds: steps,
      strikeMemorySeconds: settings.strikeMemory.value,
      minVolume: floor,
      label: `${level} ${id}${day ? " (day)" : ""}`,
    },
  };
}

/**
 * A level's conversion budgets: over the last hour, and over the last day — a ring that paces
 * itself under the hourly floor meets the daily one.
 */
function conversionBudgets(
  level: "range" | "country",
  id: string,
  fraud?: FraudSettings,
): ConversionBudget[] {
  return [conversionBudget(level, id, fraud, "hour"), conversionBudget(level, id, fraud, "day")];
}

/** Estimated SMS spend, in mills (1/1000 USD): the destination's price is each send's cost. */
function spendBudget(
  name: SpendBudgetName,
  id: string,
  cost: number,
  budgetsMills = getEnv().spend.budgetsMills,
): WindowBudget {
  const [scope, period] = name.split(".") as [string, "hour" | "day"];
  return {
    kind: "window",
    key: `spend:${scope}.${period}:${id}`,
    limit: budgetsMills[name],
    windowSeconds: period === "hour" ? 3600 : 86400,
    cost,
  };
}

/** The estimated price of one SMS to `country`, in mills. */
export function smsPriceMills(country: string | null): number {
  const prices = getEnv().spend.pricesMills;
  return country && country in prices ? prices[country]! : config.spend.defaultPrice.value;
}

/**
 * A send's budgets, in the order a refusal names them: the sender's own first, then the number's
 * (which a known device may replace by its reserve, and a safe-listed number skips), then the
 * conversion of its range and country (the same), then the country, the money and the global
 * circuit breakers. A rule in SHADOW_RULES only observes: it refuses nothing, and the decision
 * says when it would have.
 */
function sendEntries(subject: SendSubject): Entry[] {
  const { phone, prefix, country, range } = subject.destination;
  const number = { role: "reservable", numberScoped: true } as const;
  const entries: Entry[] = senderEntries(subject.ipKeys);
  if (!subject.safeListed) {
    entries.push(
      { rule: "cooldown.phone", budget: resendDelay(phone), ...number },
      limit("send.phone", phone, number),
      limit("send.phone.day", phone, number),
      limit("send.prefix", prefix, number),
      ...conversionBudgets("range", range).map((budget) => ({
        rule: "fraud.range" as const,
        budget,
        ...number,
      })),
    );
    if (country) {
      const budgets = conversionBudgets("country", country);
      entries.push(...budgets.map((budget) => ({ rule: "fraud.country" as const, budget, ...number })));
    }
    if (subject.knownDevice) entries.push(limit("send.phone.reserve", phone, { role: "reserve" }));
  }
  const price = smsPriceMills(country);
  if (country) {
    entries.push(
      limit("send.country", country, { role: "core" }),
      { rule: "spend.country.hour", budget: spendBudget("country.hour", country, price), role: "core" },
      { rule: "spend.country.day", budget: spendBudget("country.day", country, price), role: "core" },
    );
  }
  entries.push(
    limit("send.global.hour", "all", { role: "core" }),
    limit("send.global.day", "all", { role: "core" }),
    { rule: "spend.global.hour", budget: spendBudget("global.hour", "all", price), role: "core" },
    { rule: "spend.global.day", budget: spendBudget("global.day", "all", price), role: "core" },
    // Never refuses: more sends a minute than people make, passing the CAPTCHA and every limit,
    // means bots that pay the proof of work (rotating addresses and numbers).
    {
      rule: "captcha.attack_detector",
      budget: {
        kind: "window",
        key: "limit:send.attack-detector:all",
        limit: getEnv().captcha.attackModeSendsPerMinute,
        windowSeconds: 60,
      },
      role: "observe",
    },
  );
  return inShadow(entries);
}

/** Entries whose rule is in SHADOW_RULES observe instead of refusing. */
function inShadow(entries: Entry[]): Entry[] {
  const { shadowRules } = getEnv().fraud;
  if (shadowRules.size === 0) return entries;
  return entries.map((entry) =>
    entry.role !== "observe" && entry.role !== "reserve" && shadowRules.has(entry.rule as RuleName)
      ? { ...entry, role: "observe", shadow: true }
      : entry,
  );
}

/** The sender's own budgets, charged even when a send is refused. */
function senderEntries(ipKeys: IpRateLimitKeys): Entry[] {
  const own = { role: "core", chargeOnRefusal: true } as const;
  return [limit("send.ip", ipKeys.address, own), limit("send.subnet", ipKeys.aggregate, own)];
}

/**
 * Refuses, without any store access, a sender whose own address budget this instance has seen
 * spent: a bot that keeps sending after its address is refused costs one round trip every 10 s
 * at most (what @upstash/ratelimit's ephemeral cache did for one bucket).
 */
export function refuseSpentSender(ipKeys: IpRateLimitKeys): void {
  if (spentSenders.size === 0) return;
  const now = Date.now();
  for (const entry of senderEntries(ipKeys)) {
    const until = spentSenders.get(entry.budget.key);
    if (until === undefined) continue;
    if (until <= now) spentSenders.delete(entry.budget.key);
    else throw refusedBy(entry, until);
  }
}

/** Sender budgets refused lately, by key, until when (bounded: the oldest go first). */
const spentSenders = new Map<string, number>();
const SPENT_SENDERS_CAPACITY = config.defenses.spentSenderCapacity.value;
/** How long a refusal is remembered: a round trip per address every 10 s costs nothing. */
const SPENT_SENDER_MEMORY_MS = config.defenses.spentSenderMemory.value;

/** What a send's decision is made on, besides its budgets (see `BudgetRequest` for the gates). */
export type SendGates = {
  /** The solved CAPTCHA's single-use mark; made whatever the outcome. */
  captcha: CaptchaClaim | null;
  /** The operator rules the decision was made on must still be the current ones. */
  rulesCurrent: { key: string; equals: unknown };
  /** Written in the same atomic step when the send is admitted: the ownership of its code. */
  issuance: { key: string; value: unknown; ttlSeconds: number };
};

/**
 * What a decision did besides allowing or refusing, for the throttle log and the alerts: the levels
 * its conversion budgets blocked, and the rules in shadow mode that would have refused.
 */
export type DecisionReport = {
  blocked: { rule: "fraud.range" | "fraud.country"; block: AutoBlock }[];
  shadowed: RuleName[];
};

/**
 * Decides a send against every budget at once, behind its gates; throws `429` when a budget
 * refuses, `403 captcha_failed` for a replayed or outdated CAPTCHA. `stale` when the operator
 * rules changed since the caller read them (nothing was charged or claimed: ask again). Says
 * whether sends pass at a rate only bots reach (then attack mode should be on). `report` hears of
 * blocks and shadow refusals before the decision returns or throws.
 */
export async function decideSendBudgets(
  subject: SendSubject,
  gates: SendGates,
  report: (what: DecisionReport) => void,
): Promise<{ stale: true } | { stale: false; abnormalRate: boolean }> {
  const entries = sendEntries(subject);
  const decision = await decide(entries, { ...captchaGates(gates), onAllowed: [gates.issuance] }, report);
  if (!decision.allowed) return { stale: true };
  const detected = decision.observedFull.some((index) => entries[index]!.rule === "captcha.attack_detector");
  return { stale: false, abnormalRate: detected };
}

/**
 * For a send the operator rules refuse: makes the CAPTCHA's claim (a solution is single use,
 * whatever the outcome) and confirms the rules are current, charging nothing. `stale` as above.
 */
export async function confirmRulesRefusal(gates: Omit<SendGates, "issuance">): Promise<{ stale: boolean }> {
  const decision = await decide([], captchaGates(gates));
  return { stale: !decision.allowed };
}

function captchaGates({ captcha, rulesCurrent }: Omit<SendGates, "issuance">): Partial<BudgetRequest> {
  return {
    precondition: rulesCurrent,
    absent: captcha?.voidWhileSet ? [captcha.voidWhileSet] : [],
    claim: captcha ? { key: captcha.key, ttlSeconds: captcha.ttlSeconds } : undefined,
  };
}

/**
 * Who may ask for how many CAPTCHA challenges, in one decision: an attacker who rotates addresses
 * inside one /64 or /24 meets the network limit, one who rotates networks meets the total. A
 * client refused for its own address spends neither its network's nor everyone's budget.
 */
export async function decideChallengeBudgets(ipKeys: IpRateLimitKeys): Promise<void> {
  await decide([
    limit("captcha.challenge.ip", ipKeys.address, { role: "core" }),
    limit("captcha.challenge.subnet", ipKeys.aggregate, { role: "core" }),
    limit("captcha.challenge.global", "all", { role: "core" }),
  ]);
}

/**
 * Passkey prompts and answers per address and network. A passkey sign-in sends no SMS and costs
 * nothing, but each prompt is a store write and each answer a database read and a signature
 * check: these keep one client from hammering them. Shared by every passkey endpoint.
 */
export async function decidePasskeyBudgets(ipKeys: IpRateLimitKeys): Promise<void> {
  await decide([
    limit("passkey.ip", ipKeys.address, { role: "core" }),
    limit("passkey.subnet", ipKeys.aggregate, { role: "core" }),
  ]);
}

/** What a code check is limited by. */
export type CheckSubject = {
  /** The client's address key. */
  ipKey: string;
  pendingId: string;
  phone: string;
  knownDevice: boolean;
  /** The check goes on only while this key holds this value: the browser owns the code issuance. */
  ownership: { key: string; equals: unknown };
};

/**
 * A check's budgets. Every check that reaches 8x8 is charged as a failure in advance (the growing
 * delay too); a success clears the number's counts. The number's budgets can be spent by an
 * attacker checking wrong codes for their own codes to that number: a browser that signed in with
 * the number before draws on a reserve instead, so it can always complete its own code.
 */
function checkEntries(subject: CheckSubject): Entry[] {
  const { ipKey, pendingId, phone } = subject;
  const number = { role: "reservable", numberScoped: true } as const;
  return [
    limit("verify.ip", ipKey, { role: "core" }),
    limit("verify.pending", pendingId, { role: "core" }),
    limit("verify.phone", phone, number),
    limit("verify.phone.total", phone, number),
    { rule: "verify.delay", budget: checkDelay(phone), ...number },
    ...(subject.knownDevice ? [limit("verify.phone.reserve", phone, { role: "reserve" })] : []),
  ];
}

/**
 * Decides a code check before 8x8 is called; throws `429` when a budget refuses. When the browser
 * does not own the number's current code — a newer send replaced it (`superseded`), or it was
 * completed or has expired (`ended`) — only its own budgets (address, pending verification) are
 * charged, so asking again and again is bounded, and the caller refuses the check.
 */
export async function decideCheckBudgets(subject: CheckSubject): Promise<"owner" | "superseded" | "ended"> {
  const decision = await decide(checkEntries(subject), {
    precondition: { ...subject.ownership, chargeOwn: true },
  });
  if (decision.allowed) return "owner";
  return decision.gate === "precondition_other" ? "superseded" : "ended";
}

/**
 * What a verified code settles for its number, with the ownership (lib/sign-in/check-code.ts):
 * its failure counts are cleared, its resend delay grows again from the first step — counted from
 * the last code, since 8x8 holds its own resend interval after that too — and its range and
 * country count one more verified send.
 */
export function settledByVerifiedCode(
  destination: Destination,
): Pick<SettleRequest, "reset" | "restart" | "credit"> {
  const { phone, range, country } = destination;
  return {
    reset: [
      windowBudget("verify.phone", phone),
      windowBudget("verify.phone.total", phone),
      checkDelay(phone),
    ],
    restart: [resendDelay(phone)],
    // The conversion of its range and country: a code entered is what real traffic looks like.
    credit: [...conversionBudgets("range", range), ...(country ? conversionBudgets("country", country) : [])],
  };
}

/** The limits counted per number (not per prefix, range or country): the `limit:<name>:<E.164>` keys. */
const NUMBER_LIMITS = [
  "send.phone",
  "send.phone.day",
  "send.phone.reserve",
  "verify.phone",
  "verify.phone.total",
  "verify.phone.reserve",
] as const satisfies readonly LimitName[];

/**
 * Forgets every budget keyed by the number itself — its send and check limits, reserves and
 * growing delays — when its account is deleted (lib/privacy/delete-account.ts), so the store holds no
 * key naming it. The budgets of its prefix, range and country, the address's and the totals stay.
 *
 * Why this opens no loophole: a deletion needs a signed-in session, so its holder has just
 * completed a code for the number (which already settled the check counts and the delays, see
 * `settledByVerifiedCode`) or a passkey of the account. What it gives back is the number's own
 * send budget: its holder could sign up, delete and sign up again, receiving one more code per
 * round — each one entered, which is what real traffic looks like to the conversion budgets, and
 * each one still charged to the address, network, prefix, range, country, spend and global
 * budgets, which a deletion does not touch. SMS pumping's codes are never entered; it gains nothing.
 */
export async function forgetNumberBudgets(phone: string): Promise<void> {
  await getBackend().budgets.reset([
    ...NUMBER_LIMITS.map((name) => windowBudget(name, phone)),
    resendDelay(phone),
    checkDelay(phone),
  ]);
}

/** Sandbox time travel: the number's resend delay runs as if `seconds` had passed. */
export async function ageResendDelay(phone: string, seconds: number): Promise<void> {
  await getBackend().budgets.backdate(resendDelay(phone), seconds);
}

/**
 * One decision in the store. A budget's refusal throws (and remembers a spent sender); a gate's
 * refusal is the CAPTCHA's when it is about the CAPTCHA, and otherwise returned to the caller.
 */
async function decide(
  entries: Entry[],
  gates: Omit<BudgetRequest, "checks"> = {},
  report?: (what: DecisionReport) => void,
): Promise<Exclude<BudgetDecision, { refusedBy: number }>> {
  const decision = await getBackend().budgets.decide({
    checks: entries.map(({ budget, role, chargeOnRefusal }) => ({ ...budget, role, chargeOnRefusal })),
    ...gates,
  });
  if (report && decision.gate === undefined) {
    const shadowed = decision.allowed
      ? decision.observedFull
          .filter((index) => entries[index]!.shadow)
          .map((index) => entries[index]!.rule as RuleName)
      : [];
    const blocked = decision.blocked.map(({ index, block }) => ({
      rule: entries[index]!.rule as "fraud.range" | "fraud.country",
      block,
    }));
    if (shadowed.length > 0 || blocked.length > 0) report({ blocked, shadowed });
  }
  if (decision.allowed) return decision;
  if (decision.gate === "claimed") throw refusal("captcha.replayed");
  if (decision.gate === "present") throw refusal("captcha.outdated");
  if (decision.gate) return decision;
  const entry = entries[decision.refusedBy]!;
  if (entry.chargeOnRefusal) {
    if (spentSenders.size >= SPENT_SENDERS_CAPACITY) spentSenders.delete(spentSenders.keys().next().value!);
    // Not until the window's end: a sliding window frees room before it, as the older hits fade.
    spentSenders.set(entry.budget.key, Math.min(decision.retryAt, Date.now() + SPENT_SENDER_MEMORY_MS));
  }
  throw refusedBy(entry, decision.retryAt);
}

function refusedBy(entry: Entry, retryAt: number): AppError {
  return refusal(entry.rule as RuleName, {
    retryAfterSeconds: entry.numberScoped
      ? getEnv().otp.resendIntervalSeconds
      : Math.max(1, (retryAt - Date.now()) / 1000),
  });
}

// ---- For the fraud console and backtests (lib/admin/*): the same builders, read-only uses ----

/** The settings of the conversion budgets (lib/env.ts `fraud`), or a backtest's proposal of them. */
export type FraudSettings = {
  rangeFloor: number;
  countryFloor: number;
  rangeDayFloor: number;
  countryDayFloor: number;
  rangeSlack: number;
  countrySlack: number;
};

/**
 * The conversion budget an automatic block's label names (`range +62812`, `country ID`): how the
 * console's Lift and Extend find the block. Null for any other text.
 */
export function conversionBudgetOfLabel(label: string): ConversionBudget | null {
  const match = /^(range \+\d{1,15}|country [A-Z]{2})( \(day\))?$/.exec(label);
  if (!match) return null;
  const [level, id] = label.split(" ") as ["range" | "country", string];
  return conversionBudget(level, id, undefined, label.endsWith(" (day)") ? "day" : "hour");
}

/** The spend budgets of one country (its hour and day) or, for null, the global ones. */
export function spendBudgetsOf(country: string | null): { rule: RuleName; budget: WindowBudget }[] {
  const names = country
    ? (["country.hour", "country.day"] as const)
    : (["global.hour", "global.day"] as const);
  return names.map((name) => ({ rule: `spend.${name}`, budget: spendBudget(name, country ?? "all", 0) }));
}

/** What a backtest may propose: the conversion settings, the spend budgets and the limits. */
export type SendPolicySettings = {
  fraud: FraudSettings;
  spendMills: Record<SpendBudgetName, number>;
  limits: ReturnType<typeof getEnv>["limits"];
};

/** The settings the send policy runs on now: what a backtest's proposal starts from. */
export function currentSendPolicySettings(): SendPolicySettings {
  const { fraud, spend, limits } = getEnv();
  const { rangeFloor, countryFloor, rangeDayFloor, countryDayFloor, rangeSlack, countrySlack } = fraud;
  return {
    fraud: { rangeFloor, countryFloor, rangeDayFloor, countryDayFloor, rangeSlack, countrySlack },
    spendMills: spend.budgetsMills,
    limits,
  };
}

/** A send as a backtest's record keeps it (lib/events, `TrafficRecord`). */
export type ReplayedSend = {
  country: string | null;
  range: string;
  prefix: string;
  subnet: string | null;
  priceMills: number;
};

/**
 * The budgets of a send that a backtest can decide again from its record, in `sendEntries`'s
 * order and roles, built on `settings`: those keyed on what a record keeps (network, prefix,
 * range, country, the totals). Not the number's own nor the address's: a record keeps neither.
 */
export function replayableSendBudgets(
  send: ReplayedSend,
  settings: SendPolicySettings,
): { rule: RuleName; check: BudgetCheck }[] {
  const { country, range, prefix, subnet, priceMills } = send;
  const { limits, fraud, spendMills } = settings;
  const entries: { rule: RuleName; budget: Budget; role: BudgetCheck["role"]; chargeOnRefusal?: boolean }[] =
    [];
  if (subnet)
    entries.push({
      rule: "limit.send.subnet",
      budget: windowBudget("send.subnet", subnet, limits),
      role: "core",
      chargeOnRefusal: true,
    });
  entries.push(
    { rule: "limit.send.prefix", budget: windowBudget("send.prefix", prefix, limits), role: "reservable" },
    ...conversionBudgets("range", range, fraud).map((budget) => ({
      rule: "fraud.range" as const,
      budget,
      role: "reservable" as const,
    })),
  );
  if (country) {
    entries.push(
      ...conversionBudgets("country", country, fraud).map((budget) => ({
        rule: "fraud.country" as const,
        budget,
        role: "reservable" as const,
      })),
      { rule: "limit.send.country", budget: windowBudget("send.country", country, limits), role: "core" },
      {
        rule: "spend.country.hour",
        budget: spendBudget("country.hour", country, priceMills, spendMills),
        role: "core",
      },
      {
        rule: "spend.country.day",
        budget: spendBudget("country.day", country, priceMills, spendMills),
        role: "core",
      },
    );
  }
  entries.push(
    { rule: "limit.send.global.hour", budget: windowBudget("send.global.hour", "all", limits), role: "core" },
    { rule: "limit.send.global.day", budget: windowBudget("send.global.day", "all", limits), role: "core" },
    {
      rule: "spend.global.hour",
      budget: spendBudget("global.hour", "all", priceMills, spendMills),
      role: "core",
    },
    {
      rule: "spend.global.day",
      budget: spendBudget("global.day", "all", priceMills, spendMills),
      role: "core",
    },
  );
  return entries.map(({ rule, budget, role, chargeOnRefusal }) => ({
    rule,
    check: { ...budget, role, chargeOnRefusal },
  }));
}

/** The conversion budgets a replayed verified code credits (as `settledByVerifiedCode`). */
export function replayedCredit(send: ReplayedSend, settings: SendPolicySettings): ConversionBudget[] {
  const { range, country } = send;
  return [
    ...conversionBudgets("range", range, settings.fraud),
    ...(country ? conversionBudgets("country", country, settings.fraud) : []),
  ];
}
