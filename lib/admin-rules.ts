import "server-only";
import { z } from "zod";
import { deriveIpKeys } from "./client-ip";
import { AppError } from "./errors";
import { formatNetwork, parseIpRange } from "./ip-address";
import { isKnownCountry, parsePhone } from "./phone";
import { getStore } from "./store";

/**
 * Operator rules, each with a TTL: blocks of an address, a network, a number, a number prefix or
 * a destination country; and a safe list of numbers and prefixes that the automatic per-number and
 * per-prefix limits never refuse. They live in the store, so they take effect on the next request
 * on every instance. One owner for the `rule:` keys; the send path reads all that could apply in
 * one round trip.
 */
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

export type AdminRule = {
  kind: RuleKind;
  value: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
};

export const MAX_RULE_TTL_SECONDS = 90 * 24 * 3600;
const INDEX_KEY = "rule:index";
const ruleKey = (kind: RuleKind, value: string) => `rule:${kind}:${value}`;

export const newRuleSchema = z
  .object({
    kind: z.enum(ruleKinds),
    value: z.string().trim().min(1, "Enter what to block.").max(64),
    ttlSeconds: z.number().int().min(60, "At least a minute.").max(MAX_RULE_TTL_SECONDS, "At most 90 days."),
    reason: z.string().trim().max(200).default(""),
  })
  .strict();

/** The canonical form of a rule's value (so `+65 8123 4567` and `+6581234567` are one rule), or an error. */
export function canonicalRuleValue(kind: RuleKind, value: string): string {
  const invalid = (message: string) => new AppError("bad_request", message, { fields: { value: message } });
  switch (kind) {
    case "block-ip": {
      const keys = deriveIpKeys(value);
      if (!keys) throw invalid("Enter an IPv4 or IPv6 address.");
      return keys.address;
    }
    case "block-subnet": {
      const range = parseIpRange(value);
      if (!range || !value.includes("/"))
        throw invalid("Enter a network such as 203.0.113.0/24 or 2001:db8:1::/48.");
      return formatNetwork({ version: range.version, bytes: range.bytes }, range.prefix);
    }
    case "block-phone":
    case "safe-phone": {
      const parsed = parsePhone(value);
      if (!parsed.ok) throw invalid("Enter a number in international format, such as +6581234567.");
      return parsed.phone.e164;
    }
    case "block-prefix":
    case "safe-prefix": {
      const digits = value.replace(/[\s()-]/g, "");
      if (!/^\+\d{2,14}$/.test(digits))
        throw invalid("Enter a prefix such as +6581 (a + and 2 to 14 digits).");
      return digits;
    }
    case "block-country": {
      const code = value.toUpperCase();
      if (!isKnownCountry(code)) throw invalid("Enter a two-letter country code such as SG.");
      return code;
    }
  }
}

export async function addRule(input: z.infer<typeof newRuleSchema>, createdBy: string): Promise<AdminRule> {
  const value = canonicalRuleValue(input.kind, input.value);
  const now = Date.now();
  const rule: AdminRule = {
    kind: input.kind,
    value,
    reason: input.reason,
    createdBy,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + input.ttlSeconds * 1000).toISOString(),
  };
  const store = getStore();
  await store.set(ruleKey(rule.kind, value), rule, input.ttlSeconds);
  const index = (await store.get<AdminRule[]>(INDEX_KEY)) ?? [];
  const others = index.filter((entry) => !(entry.kind === rule.kind && entry.value === value));
  await store.set(INDEX_KEY, [...live(others), rule]);
  return rule;
}

export async function removeRule(kind: RuleKind, value: string): Promise<boolean> {
  const store = getStore();
  const canonical = canonicalRuleValue(kind, value);
  const existed = (await store.take(ruleKey(kind, canonical))) !== null;
  const index = (await store.get<AdminRule[]>(INDEX_KEY)) ?? [];
  await store.set(
    INDEX_KEY,
    live(index).filter((entry) => !(entry.kind === kind && entry.value === canonical)),
  );
  return existed;
}

/** Rules in force, newest first. */
export async function listRules(): Promise<AdminRule[]> {
  return live((await getStore().get<AdminRule[]>(INDEX_KEY)) ?? []).reverse();
}

function live(rules: AdminRule[]): AdminRule[] {
  const now = Date.now();
  return rules.filter((rule) => new Date(rule.expiresAt).getTime() > now);
}

export type RequestSubject = {
  ip: string;
  subnet: string;
  phone: string;
  prefix: string;
  country: string | null;
};

/**
 * The operator rules that apply to a send — the first block found (which refuses it), and whether
 * the number or a prefix of it is on the safe list — read in one round trip, which also makes
 * `claim` (a solved CAPTCHA's single-use mark), so the refusal path stays at one round trip.
 */
export async function findApplicableRules(
  subject: RequestSubject,
  claim: { key: string; ttlSeconds: number } | null = null,
): Promise<{ block: AdminRule | null; safe: boolean; claimed: boolean }> {
  const prefixes = numberPrefixes(subject.phone);
  const blockKeys = [
    ruleKey("block-ip", subject.ip),
    ruleKey("block-subnet", subject.subnet),
    ruleKey("block-phone", subject.phone),
    ...prefixes.map((prefix) => ruleKey("block-prefix", prefix)),
    ...(subject.country ? [ruleKey("block-country", subject.country)] : []),
  ];
  const safeKeys = [
    ruleKey("safe-phone", subject.phone),
    ...prefixes.map((prefix) => ruleKey("safe-prefix", prefix)),
  ];
  const { claimed, values } = await getStore().claimAndGetMany<AdminRule>(claim, [...blockKeys, ...safeKeys]);
  return {
    block: values.slice(0, blockKeys.length).find((rule) => rule !== null) ?? null,
    safe: values.slice(blockKeys.length).some((rule) => rule !== null),
    claimed,
  };
}

/** Every prefix of an E.164 number from `+` and 2 digits to the whole number but its last digit. */
function numberPrefixes(e164: string): string[] {
  const prefixes: string[] = [];
  for (let length = 3; length < e164.length; length += 1) prefixes.push(e164.slice(0, length));
  return prefixes;
}

export function describeRuleTarget(rule: Pick<AdminRule, "kind" | "value">): string {
  return `${rule.kind.replace("-", " ")} ${rule.value}`;
}
