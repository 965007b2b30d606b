import { refusals, type RuleName } from "@/lib/http/refusals";

/**
 * The event filter's rule picker, built from the refusal catalogue (lib/http/refusals.ts), so a
 * rule added there is offered here at once. Isomorphic: the filter form and the API's schema both
 * read it. A family is a name prefix with `.*` (`captcha.*`); the log matches it by prefix.
 */

export type RuleFilterGroup = {
  /** The first part of the rule names: `captcha`, `limit`, `client_ip`. */
  family: string;
  /** `captcha.*`, `limit.send.*`…: the families worth picking at once, widest first. */
  patterns: { value: string; count: number }[];
  rules: RuleName[];
};

/** A second-level family (`limit.send.*`) is offered when it holds at least this many rules. */
const SUBFAMILY_MIN_RULES = 3;

const ruleNames = Object.keys(refusals) as RuleName[];

function buildGroups(): RuleFilterGroup[] {
  const byFamily = new Map<string, RuleName[]>();
  for (const rule of ruleNames) {
    const family = rule.split(".")[0]!;
    byFamily.set(family, [...(byFamily.get(family) ?? []), rule]);
  }
  return [...byFamily].map(([family, rules]) => {
    const patterns = rules.length > 1 ? [{ value: `${family}.*`, count: rules.length }] : [];
    const second = new Map<string, number>();
    for (const rule of rules) {
      const parts = rule.split(".");
      if (parts.length > 2)
        second.set(`${parts[0]}.${parts[1]}`, (second.get(`${parts[0]}.${parts[1]}`) ?? 0) + 1);
    }
    for (const [prefix, count] of second)
      if (count >= SUBFAMILY_MIN_RULES && count < rules.length)
        patterns.push({ value: `${prefix}.*`, count });
    return { family, patterns, rules };
  });
}

/** The picker's groups, in the catalogue's order. */
export const ruleFilterGroups: readonly RuleFilterGroup[] = buildGroups();

const accepted = new Set<string>([
  ...ruleNames,
  ...ruleFilterGroups.flatMap((group) => group.patterns.map((pattern) => pattern.value)),
]);

/** Whether `value` is a rule of the catalogue or one of the families the picker offers. */
export function isRuleFilter(value: string): boolean {
  return accepted.has(value);
}

/** The family a rule is drawn in by the console's charts: `captcha.invalid` → `captcha`. */
export function ruleFamilyOf(rule: string): string {
  return rule.split(".")[0]!;
}

/** Every family, in the catalogue's order: the charts give each a fixed colour and pattern. */
export const ruleFamilies: readonly string[] = ruleFilterGroups.map((group) => group.family);
