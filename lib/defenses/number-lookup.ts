import "server-only";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { config } from "@/lib/config";
import { EightByEightError, getOtpProvider, type LineType, type LookupType } from "@/lib/eight-by-eight";
import { getEnv } from "@/lib/env";
import { refusal } from "@/lib/http/errors";
import { isRuleName, type RuleName } from "@/lib/http/refusals";
import type { Destination } from "@/lib/phone";
import { getStore } from "@/lib/store";
import type { CaptchaClaim } from "./captcha";
import { acceptsLineType } from "./destination-policy";

/**
 * 8x8 Number Lookup, asked only about a number offline screening cannot vouch for, before its
 * first code: one libphonenumber could not type, one of a country the operator listed whose
 * numbers are all "fixed line or mobile" to numbering plans (US and CA: `NUMBER_LOOKUP_COUNTRIES`),
 * or one in a range under suspicion (the caller says). Every other send — clean traffic — costs
 * no store access and no lookup here.
 *
 * - **Refuses what the destination policy refuses** (./destination-policy.ts): landlines, premium
 *   rate and the other revenue-sharing types, VoIP unless `ALLOW_VOIP`, and numbers 8x8 cannot
 *   classify or read, under rules of their own (`lookup.line_type.*`) so operators see that 8x8,
 *   not libphonenumber, classified the number.
 * - **Cached per number in the store** for `numberLookup.cacheLifetime`, shared by every
 *   instance: a number is looked up once per lifetime (two first sends racing may both ask).
 * - **Paid for by a solved CAPTCHA only** (the guard runs after it), and by each solution once: a
 *   replayed solution cannot buy a lookup per number before the limits make its single-use claim.
 * - **Counted** per hour (`readNumberLookupUsage`), with an estimated cost for paid lookup types.
 * - **Fails closed**: when 8x8 does not answer, a number in doubt gets `503` and no SMS (the house
 *   rule for anything that sends one: sending without the answer is exactly the risk the lookup
 *   is there to remove). A failed answer is not cached; clean traffic never notices the outage.
 *
 * API: https://developer.8x8.com/connect/reference/phone-number-lookup
 */

export type LookupTriggers = {
  /** Countries whose "fixed line or mobile" numbers are looked up. */
  countries: ReadonlySet<string>;
};

/** Why a number is in doubt; null when offline screening is enough. */
export type Doubt = "unclassified" | "fixed_line_or_mobile" | "suspicious";

/**
 * Whether `phone` (E.164) needs a lookup: a range under suspicion always; a type libphonenumber
 * does not know (with its full metadata only numbers it also calls invalid, which the send route
 * refuses before its guards); "fixed line or mobile" in a listed country.
 */
export function doubtAbout(
  phone: string,
  triggers: LookupTriggers,
  { suspicious }: { suspicious: boolean },
): Doubt | null {
  if (suspicious) return "suspicious";
  const parsed = parsePhoneNumberFromString(phone);
  const type = parsed?.getType();
  if (type === undefined) return "unclassified";
  if (type === "FIXED_LINE_OR_MOBILE" && parsed?.country && triggers.countries.has(parsed.country)) {
    return "fixed_line_or_mobile";
  }
  return null;
}

/** The rules this guard refuses by, for the send policy's list. */
export const numberLookupRefusals = [
  "lookup.line_type.fixed_line",
  "lookup.line_type.voip",
  "lookup.line_type.premium_rate",
  "lookup.line_type.toll_free",
  "lookup.line_type.shared_cost",
  "lookup.line_type.personal_number",
  "lookup.line_type.pager",
  "lookup.line_type.uan",
  "lookup.line_type.voicemail",
  "lookup.line_type.unknown",
  "lookup.unavailable",
  "captcha.replayed",
] as const satisfies readonly RuleName[];

/** What is cached per number: 8x8's line type ("unknown" when 8x8 could not read the number). */
type LookupAnswer = { lineType: LineType; lookedUpAt: string };

const CACHE_SECONDS = config.numberLookup.cacheLifetime.value;
const COUNTS_KEPT_SECONDS = config.numberLookup.countsKept.value;

// The keys this module owns.
const answerKey = (phone: string) => `lookup:answer:${phone}`;
const paidKey = (captcha: CaptchaClaim) => `lookup:paid:${captcha.key}`;
const countKey = (hour: string) => `lookup:count:${hour}`;
/** "2026-07-23T09": the UTC hour a lookup is counted in. */
const hourOf = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 13);

/** Forgets 8x8's cached answer for the number (an account deletion): the key names the number. */
export async function forgetLookupAnswer(phone: string): Promise<void> {
  await getStore().delete(answerKey(phone));
}

/**
 * The send guard: returns at once (no I/O) unless the number is in doubt; then asks the store for
 * 8x8's cached answer, or 8x8 for a new one, and throws the refusal of a line type codes do not go
 * to. `captcha`: the solved CAPTCHA's claim (ALTCHA), null for providers whose tokens are single
 * use at the provider.
 */
export async function lookupWhenInDoubt(
  destination: Destination,
  { suspicious, captcha }: { suspicious: boolean; captcha: CaptchaClaim | null },
): Promise<void> {
  const { numberLookup, destinations } = getEnv();
  if (!doubtAbout(destination.phone, numberLookup, { suspicious })) return;

  const answer =
    (await getStore().get<LookupAnswer>(answerKey(destination.phone))) ??
    (await lookUp(destination.phone, numberLookup.type, captcha));
  if (acceptsLineType(answer.lineType.toUpperCase(), destinations)) return;
  const rule = `lookup.line_type.${answer.lineType}`;
  throw refusal(isRuleName(rule) ? rule : "lookup.line_type.unknown");
}

async function lookUp(phone: string, type: LookupType, captcha: CaptchaClaim | null): Promise<LookupAnswer> {
  const store = getStore();
  if (captcha && !(await store.setIfAbsent(paidKey(captcha), true, captcha.ttlSeconds))) {
    throw refusal("captcha.replayed");
  }
  let lineType: LineType;
  try {
    lineType = (await (await getOtpProvider()).lookupNumber(phone, type)).lineType;
  } catch (error) {
    if (!(error instanceof EightByEightError)) throw error;
    // 400 / 1002: 8x8 cannot read the number, an answer like any other.
    if (error.kind !== "invalid_number") {
      console.error("8x8 number lookup failed", {
        kind: error.kind,
        ...error.details,
        message: error.message,
      });
      throw refusal("lookup.unavailable");
    }
    lineType = "unknown";
  }
  const answer: LookupAnswer = { lineType, lookedUpAt: new Date().toISOString() };
  await Promise.all([store.set(answerKey(phone), answer, CACHE_SECONDS), countLookup()]);
  return answer;
}

/** One more lookup in this hour's count (a key that expires by itself, created with its TTL). */
async function countLookup(): Promise<void> {
  const store = getStore();
  const key = countKey(hourOf(Date.now()));
  await store.setIfAbsent(key, 0, COUNTS_KEPT_SECONDS);
  await store.increment(key);
}

export type NumberLookupUsage = {
  /** Lookups 8x8 answered, per UTC hour ("2026-07-23T09"), oldest first. */
  hours: { hour: string; lookups: number }[];
  lookups: number;
  /** `lookups` × `NUMBER_LOOKUP_PRICE_MICRO_USD` for paid lookup types; `format` lookups are free. */
  estimatedCostUsd: number;
  lookupType: LookupType;
};

/** The lookups of the last `hours` hours (this one included), for the console: one store read. */
export async function readNumberLookupUsage(hours = 24, now = Date.now()): Promise<NumberLookupUsage> {
  const span = Math.min(Math.max(1, Math.floor(hours)), Math.floor(COUNTS_KEPT_SECONDS / 3600));
  const labels = Array.from({ length: span }, (_, index) => hourOf(now - (span - 1 - index) * 3_600_000));
  const counts = await getStore().getMany<number>(labels.map(countKey));
  const perHour = labels.map((hour, index) => ({ hour, lookups: Number(counts[index] ?? 0) }));
  const lookups = perHour.reduce((sum, { lookups: count }) => sum + count, 0);
  const { type, priceMicroUsd } = getEnv().numberLookup;
  return {
    hours: perHour,
    lookups,
    estimatedCostUsd: type === "format" ? 0 : (lookups * priceMicroUsd) / 1_000_000,
    lookupType: type,
  };
}
