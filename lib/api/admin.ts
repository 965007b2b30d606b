import { z } from "zod";
import { isRuleFilter } from "@/lib/api/rule-filter";
import { config, formatWindow } from "@/lib/config";
import type { ThrottleAggregates, ThrottleEvent, ThrottleEventPage } from "@/lib/events/types";

/**
 * The admin endpoints (`/api/admin/*`): the request schemas their handlers parse with and the
 * admin forms validate with, and the bodies they answer with. Errors are the envelope in ./errors.ts.
 */

// ---- Rules: GET / POST / DELETE /api/admin/rules ----

export const ruleKinds = [
  "block-ip",
  "block-subnet",
  "block-phone",
  "block-prefix",
  "block-country",
  "safe-phone",
  "safe-prefix",
] as const;
export type RuleKind = (typeof ruleKinds)[number];

const { ruleMinLifetime, ruleMaxLifetime } = config.defenses;

/**
 * The body of `POST /api/admin/rules`. What `value` may be depends on `kind` and on the server's
 * settings (the blockable network lengths), so the server checks it and answers a wrong one with
 * a message in `fields.value`.
 */
export const newRuleSchema = z
  .object({
    kind: z.enum(ruleKinds, { error: "Choose what the rule does." }),
    value: z.string().trim().min(1, "Enter what the rule applies to.").max(64, "At most 64 characters."),
    ttlSeconds: z
      .number({ error: "Choose how long the rule lasts." })
      .int("Choose how long the rule lasts.")
      .min(ruleMinLifetime.value, `At least ${formatWindow(ruleMinLifetime.value)}.`)
      .max(ruleMaxLifetime.value, `At most ${formatWindow(ruleMaxLifetime.value)}.`),
    reason: z.string().trim().max(200, "At most 200 characters.").default(""),
  })
  .strict();
export type NewRule = z.infer<typeof newRuleSchema>;

/** The query of `DELETE /api/admin/rules?kind=…&value=…`. */
export const ruleRemovalSchema = z
  .object({ kind: z.enum(ruleKinds), value: z.string().min(1).max(64) })
  .strict();
export type RuleRemoval = z.infer<typeof ruleRemovalSchema>;

export type AdminRule = {
  kind: RuleKind;
  /** Canonical: E.164, a network in CIDR, a two-letter country… */
  value: string;
  reason: string;
  /** The admin's number. */
  createdBy: string;
  /** ISO 8601. */
  createdAt: string;
  expiresAt: string;
};

/** 200 from `GET /api/admin/rules`: the rules in force, newest first. */
export type RulesResponse = { rules: AdminRule[] };
/** 201 from `POST /api/admin/rules`. (`DELETE` answers 204 with no body.) */
export type AddRuleResponse = { rule: AdminRule };

// ---- Throttle events: GET /api/admin/events (and /export), POST /api/admin/events/reveal ----

export const eventRoutes = [
  "POST /api/otp/send",
  "POST /api/otp/verify",
  "GET /api/captcha/challenge",
] as const;

/** Query parameters arrive as strings, and a blank filter field means "no filter". */
const blankToUndefined = <T extends string>(value: T | undefined) => value || undefined;

const optionalText = (pattern: RegExp, message: string) =>
  z
    .string()
    .max(64, message)
    .refine((value) => value === "" || pattern.test(value), message)
    .optional()
    .transform(blankToUndefined);

/**
 * A filter's date and time, in UTC, as a `datetime-local` field writes it (`2026-11-29T08:00`,
 * seconds optional): epoch ms, or NaN. `endOfMinute` makes a minute-precise "to" include its minute.
 */
export function parseFilterTime(value: string, endOfMinute = false): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?$/.test(value)) return Number.NaN;
  const ms = Date.parse(value.endsWith("Z") ? value : `${value}Z`);
  // Date.parse rolls 2026-02-30 over into March: a date that does not come back as given is wrong.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 16) !== value.slice(0, 16)) return Number.NaN;
  return endOfMinute && value.replace(/Z$/, "").length === 16 ? ms + 59_999 : ms;
}

const filterTime = (label: string) =>
  optionalText(/./, `${label} is a date and time such as 2026-11-29 08:00.`).refine(
    (value) => value === undefined || !Number.isNaN(parseFilterTime(value)),
    `${label} is a date and time such as 2026-11-29 08:00.`,
  );

/**
 * The filters of the event list, its export and the filter form. A malformed one names its field
 * in words, as the form labels it ("Country is a two-letter code…"), so the message reads the same
 * beside the field and in the API's `fields`.
 */
export const eventFiltersSchema = z
  .strictObject({
    rule: z
      .string()
      .optional()
      .transform(blankToUndefined)
      .refine(
        (value) => value === undefined || isRuleFilter(value),
        "Rule is one of the rules or families in the list, such as captcha.*.",
      ),
    route: z
      .enum(["", ...eventRoutes], { error: `Route is one of ${eventRoutes.join(", ")}.` })
      .optional()
      .transform(blankToUndefined),
    from: filterTime("From"),
    to: filterTime("To"),
    ip: optionalText(
      /^[\da-fA-F:./]+$/,
      "Address or network is an address or a network such as 203.0.113.0/24.",
    ),
    country: optionalText(/^[A-Za-z]{2}$/, "Country is a two-letter code such as SG."),
    prefix: optionalText(/^\+\d{1,14}$/, "Number prefix is + and digits, such as +6581."),
    // No filter on a number's last digits: with the prefix filter it would rebuild the number.
  })
  .refine(({ from, to }) => !from || !to || parseFilterTime(from) <= parseFilterTime(to, true), {
    message: "To is before From: choose a later time.",
    path: ["to"],
  });
export type EventFilters = z.output<typeof eventFiltersSchema>;
export type EventFiltersInput = z.input<typeof eventFiltersSchema>;

const pageCursor = optionalText(
  /^\d{1,16}-\d{1,10}$/,
  "The page link is not one the console made: start again from the newest events.",
);

/**
 * The query of `GET /api/admin/events` and `/export`: the filters, and paging — `cursor` for the
 * page older than one shown, `after` for the page newer than one shown.
 */
export const eventQuerySchema = z
  .strictObject({
    ...eventFiltersSchema.shape,
    limit: z.preprocess(
      (value) => (value === undefined || value === "" ? undefined : Number(value)),
      z
        .number({ error: "limit must be a whole number" })
        .int("limit must be a whole number")
        .min(1, "limit must be at least 1")
        .max(1_000_000_000)
        .optional(),
    ),
    cursor: pageCursor,
    after: pageCursor,
  })
  .refine(({ cursor, after }) => !cursor || !after, {
    message: "Give cursor or after, not both.",
    path: ["after"],
  })
  .refine(({ from, to }) => !from || !to || parseFilterTime(from) <= parseFilterTime(to, true), {
    message: "To is before From: choose a later time.",
    path: ["to"],
  });
export type EventQuery = z.output<typeof eventQuerySchema>;

/** 200 from `GET /api/admin/events`: newest first; numbers without their last four digits. */
export type EventsResponse = ThrottleEventPage;
export type { ThrottleAggregates, ThrottleEvent };

/** The body of `POST /api/admin/events/reveal`. */
export const revealRequestSchema = z.object({ id: z.string().max(40) }).strict();
/** 200 from `POST /api/admin/events/reveal`; `phone` is null once retention has dropped it. */
export type RevealPhoneResponse = { id: string; phone: string | null };

// ---- GET /api/admin/overview, GET /api/admin/audit ----

export type TrafficTotals = {
  sent: number;
  verified: number;
  refused: number;
  conversionRate: number | null;
};

export type OverviewResponse = {
  lastHour: TrafficTotals;
  lastDay: TrafficTotals;
  minutes: ThrottleAggregates;
  hours: ThrottleAggregates;
  attackMode: boolean;
  store: { kind: string; description: string; reachable: boolean };
  sandbox: boolean;
};

export type AuditEntry = { at: string; admin: string; action: string; target: string; detail?: string };
/** 200 from `GET /api/admin/audit`: newest first. */
export type AuditResponse = { actions: AuditEntry[] };

// ---- Automatic blocks: POST / DELETE /api/admin/blocks ----

/** A block is named by its label, as the console lists it: `range +62812` or `country ID`. */
const blockLabel = z
  .string({ error: "Give the block's label, such as range +62812 or country ID." })
  .regex(/^(range \+\d{1,15}|country [A-Z]{2})$/, "A block's label is range +<digits> or country <XX>.");

/** The body of `POST /api/admin/blocks`: keep a block for `extendSeconds` from now. */
export const blockExtensionSchema = z
  .object({
    label: blockLabel,
    extendSeconds: z
      .number({ error: "Choose how long the block lasts from now." })
      .int("Choose how long the block lasts from now.")
      .min(60, "At least 1 min.")
      .max(
        config.fraud.longestBlock.value * 7,
        `At most ${formatWindow(config.fraud.longestBlock.value * 7)}.`,
      ),
  })
  .strict();
export type BlockExtension = z.infer<typeof blockExtensionSchema>;

/** The query of `DELETE /api/admin/blocks?label=…`: lifts the block now. */
export const blockLiftSchema = z.object({ label: blockLabel }).strict();

/** 200 from `POST /api/admin/blocks`. (`DELETE` answers 204 with no body.) */
export type BlockExtensionResponse = { label: string; until: number };

// ---- Backtests: /admin/backtest?… ----

/** A number from a query parameter; blank means "as now". */
const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess(
    (value) => (value === undefined || value === "" ? undefined : Number(value)),
    schema.optional(),
  );

/**
 * A backtest's proposal, from the backtest form's query: every field blank keeps the current
 * setting. Spend budgets are in USD, as SPEND_BUDGETS_USD.
 */
export const backtestQuerySchema = z.strictObject({
  days: optionalNumber(
    z
      .number({ error: "days is a whole number of days" })
      .int("days is a whole number of days")
      .min(1, "At least 1 day.")
      .max(
        config.backtest.longestReplay.value / 86400,
        `At most ${config.backtest.longestReplay.value / 86400} days.`,
      ),
  ),
  rangeFloor: optionalNumber(
    z
      .number({ error: "Enter a whole number." })
      .int("Enter a whole number.")
      .min(1, "At least 1.")
      .max(100_000),
  ),
  countryFloor: optionalNumber(
    z
      .number({ error: "Enter a whole number." })
      .int("Enter a whole number.")
      .min(1, "At least 1.")
      .max(1_000_000),
  ),
  rangeSlack: optionalNumber(
    z.number({ error: "Enter a number." }).min(1, "At least 1.").max(20, "At most 20."),
  ),
  countrySlack: optionalNumber(
    z.number({ error: "Enter a number." }).min(1, "At least 1.").max(20, "At most 20."),
  ),
  prefixLimit: optionalNumber(
    z
      .number({ error: "Enter a whole number." })
      .int("Enter a whole number.")
      .min(1, "At least 1.")
      .max(1_000_000),
  ),
  countryLimit: optionalNumber(
    z
      .number({ error: "Enter a whole number." })
      .int("Enter a whole number.")
      .min(1, "At least 1.")
      .max(10_000_000),
  ),
  globalHourUsd: optionalNumber(z.number({ error: "Enter USD." }).positive("More than 0.").max(10_000_000)),
  globalDayUsd: optionalNumber(z.number({ error: "Enter USD." }).positive("More than 0.").max(10_000_000)),
  countryHourUsd: optionalNumber(z.number({ error: "Enter USD." }).positive("More than 0.").max(10_000_000)),
  countryDayUsd: optionalNumber(z.number({ error: "Enter USD." }).positive("More than 0.").max(10_000_000)),
});
export type BacktestQuery = z.output<typeof backtestQuerySchema>;
export type BacktestQueryInput = z.input<typeof backtestQuerySchema>;

/** What one replay of the stored traffic found. Money in mills (1/1000 USD). */
export type BacktestOutcome = {
  /** Sends the replay decided, with what they verified and cost in the history. */
  sends: number;
  verified: number;
  spendMills: number;
  /** Sends the settings would have refused, in total and by the rule that refused each. */
  refused: number;
  refusedByRule: Record<string, number>;
  /** Refused sends whose code was later entered: legitimate users the settings would have hurt. */
  refusedLaterVerified: number;
  /** The price of the refused sends never verified: what the settings would have saved. */
  savedMills: number;
  /** Automatic blocks the replay began, by rule. */
  blocksByRule: Record<string, number>;
};

export type BacktestReport = {
  days: number;
  from: number;
  to: number;
  /** Records replayed (sends and verified codes), and whether the record cap cut the history short. */
  records: number;
  capped: boolean;
  proposal: BacktestOutcome;
  /** The same replay on the settings in force: what the proposal changes is the difference. */
  current: BacktestOutcome;
  runMs: number;
};
