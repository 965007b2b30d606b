import "server-only";
import type { AdminRule, NewRule, RuleKind } from "@/lib/api/admin";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { formatIp, formatNetwork, parseIp, parseIpRange, type IpAddress } from "@/lib/client-ip/ip-address";
import { isKnownCountry, parsePhone } from "@/lib/phone";
import { getBackend, getStore } from "@/lib/store";

/**
 * Operator rules, each with a TTL: blocks of an address, a network, a number, a number prefix or
 * a destination country; and a safe list of numbers and prefixes that the automatic per-number and
 * per-prefix limits never refuse. They live in the store, one versioned map (`rules`, owned here),
 * so they take effect on the next decision on every instance; each process reads them only when
 * they change (see {@link findApplicableRules}). A rule's shape and the body that adds one are the
 * API's (lib/api/admin.ts).
 */
/**
 * The network lengths a `block-subnet` rule may have, which are exactly the lengths the send path
 * looks up (see {@link findApplicableRules}): a block is accepted only if it is enforced.
 *
 * - IPv4: every length from /8 to /32 — 25 keys per send.
 * - IPv6: nibble boundaries (multiples of 4, how IPv6 is delegated: /32, /48, /56, /64) from /16
 *   to the per-client prefix `CLIENT_IP_IPV6_PREFIX`, and that prefix itself when it is not a
 *   multiple of 4 — 13 keys at the default /64. Longer networks are refused: every limit already
 *   treats one such network as one client, whose owner can use any address inside it, so
 *   blocking part of it would stop nobody.
 *
 * Looking up every enclosing network by its key keeps a send's rule check a few dozen map
 * lookups in memory whatever was blocked, where a list of ranges would need a scan per send.
 */
export function blockableNetworkLengths(version: 4 | 6, ipv6Prefix = getEnv().clientIp.ipv6Prefix): number[] {
  const lengths: number[] = [];
  if (version === 4) {
    for (let length = 8; length <= 32; length += 1) lengths.push(length);
    return lengths;
  }
  for (let length = 16; length <= ipv6Prefix; length += 4) lengths.push(length);
  if (ipv6Prefix % 4 !== 0) lengths.push(ipv6Prefix);
  return lengths;
}

/** The lengths above in words, for the form's hint and its error messages. */
export function describeBlockableNetworks(ipv6Prefix = getEnv().clientIp.ipv6Prefix): string {
  const steps = ipv6Prefix % 4 === 0 ? "in steps of 4" : `in steps of 4, or /${ipv6Prefix}`;
  return `IPv4 networks from /8 to /32; IPv6 networks from /16 to /${ipv6Prefix} ${steps}`;
}

/**
 * What an address block covers: the address itself (IPv4), or the IPv6 network of
 * `CLIENT_IP_IPV6_PREFIX` around it — the unit every limit counts as one client, so blocking one
 * address of it would let its owner move to the next.
 */
function addressBlockKey(address: IpAddress, ipv6Prefix: number): string {
  return address.version === 4 ? formatIp(address) : formatNetwork(address, ipv6Prefix);
}

/** The canonical form of a rule's value (so `+65 8123 4567` and `+6581234567` are one rule), or an error. */
export function canonicalRuleValue(
  kind: RuleKind,
  value: string,
  ipv6Prefix = getEnv().clientIp.ipv6Prefix,
): string {
  const invalid = (message: string) => new AppError("bad_request", message, { fields: { value: message } });
  const text = value.trim();
  switch (kind) {
    case "block-ip": {
      const address = parseIp(text);
      if (address) return addressBlockKey(address, ipv6Prefix);
      // The listed form of an IPv6 block (its network), so a rule can be removed by what the page shows.
      const range = parseIpRange(text);
      if (range?.version === 6 && range.prefix === ipv6Prefix && text.includes("/"))
        return formatNetwork(range, ipv6Prefix);
      throw invalid("Enter an IPv4 or IPv6 address.");
    }
    case "block-subnet": {
      const range = parseIpRange(text);
      if (!range || !text.includes("/"))
        throw invalid("Enter a network such as 203.0.113.0/24 or 2001:db8:1::/48.");
      if (!blockableNetworkLengths(range.version, ipv6Prefix).includes(range.prefix)) {
        throw invalid(
          `/${range.prefix} can't be blocked: ${describeBlockableNetworks(ipv6Prefix)} can. ` +
            "Use block-ip for a single address.",
        );
      }
      return formatNetwork(range, range.prefix);
    }
    case "block-phone":
    case "safe-phone": {
      const parsed = parsePhone(text);
      if (!parsed.ok) throw invalid("Enter a number in international format, such as +6581234567.");
      return parsed.phone.e164;
    }
    case "block-prefix":
    case "safe-prefix": {
      const digits = text.replace(/[\s()-]/g, "");
      if (!/^\+\d{2,14}$/.test(digits))
        throw invalid("Enter a prefix such as +6581 (a + and 2 to 14 digits).");
      return digits;
    }
    case "block-country": {
      const code = text.toUpperCase();
      if (!isKnownCountry(code)) throw invalid("Enter a two-letter country code such as SG.");
      return code;
    }
  }
}

/**
 * At most this many rules at once: every send evaluates the rules of its process's snapshot, and
 * rules cost an operator nothing to add.
 */
export const MAX_RULES = 10_000;
const RULES_KEY = "rules";
const field = (kind: RuleKind, value: string) => `${kind}:${value}`;

export async function addRule(input: NewRule, createdBy: string): Promise<AdminRule> {
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
  const { entries } = await store.readVersionedMap<AdminRule>(RULES_KEY);
  const expired = Object.keys(entries).filter((key) => !isLive(entries[key]!, now));
  if (Object.keys(entries).length - expired.length >= MAX_RULES && !(field(rule.kind, value) in entries)) {
    throw new AppError("bad_request", `At most ${MAX_RULES} rules can be in force; remove some first.`);
  }
  await store.updateVersionedMap(RULES_KEY, { [field(rule.kind, value)]: rule }, expired);
  return rule;
}

export async function removeRule(kind: RuleKind, value: string): Promise<boolean> {
  const store = getStore();
  const key = field(kind, canonicalRuleValue(kind, value));
  const { entries } = await store.readVersionedMap<AdminRule>(RULES_KEY);
  const existing = entries[key];
  if (!existing) return false;
  await store.updateVersionedMap(RULES_KEY, {}, [key]);
  return isLive(existing, Date.now());
}

/** Rules in force, newest first. */
export async function listRules(): Promise<AdminRule[]> {
  const { entries } = await getStore().readVersionedMap<AdminRule>(RULES_KEY);
  const now = Date.now();
  return Object.values(entries)
    .filter((rule) => isLive(rule, now))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

const isLive = (rule: AdminRule, now: number) => new Date(rule.expiresAt).getTime() > now;

export type RequestSubject = {
  /** The client's address, canonical (as resolved by lib/client-ip). */
  clientIp: string;
  phone: string;
  country: string | null;
};

/** What the operator rules say about one send, and the version of the rules it was read from. */
export type RulesVerdict = { block: AdminRule | null; safe: boolean; version: number };

type Snapshot = { version: number; rules: Map<string, AdminRule> };
/** Each process keeps the rules it last read, per backend (tests switch backends). */
const snapshots = new WeakMap<object, Snapshot>();

/**
 * The operator rules that apply to a send — the first block found (which refuses it), and whether
 * the number or a prefix of it is on the safe list — from this process's copy of the rules, read
 * once and then only when they change: the send's budget decision carries the copy's version as
 * its precondition ({@link rulesAreCurrent}), so a decision made on rules an operator has since
 * changed fails, and the caller asks again with `reload`. Every instance enforces a change from its
 * next decision, at no store round trip per send.
 *
 * Network blocks match by containment: the keys of every enclosing network the rules accept
 * ({@link blockableNetworkLengths}) are looked up, so a /16 block refuses every address inside it.
 */
export async function findApplicableRules(
  subject: RequestSubject,
  options: { reload?: boolean } = {},
): Promise<RulesVerdict> {
  const backend = getBackend();
  let snapshot = snapshots.get(backend);
  if (!snapshot || options.reload) {
    const { version, entries } = await backend.kv.readVersionedMap<AdminRule>(RULES_KEY);
    snapshot = { version, rules: new Map(Object.entries(entries)) };
    snapshots.set(backend, snapshot);
  }
  const { rules } = snapshot;
  const now = Date.now();
  const found = (kind: RuleKind, value: string) => {
    if (rules.size === 0) return null;
    const rule = rules.get(field(kind, value));
    return rule && isLive(rule, now) ? rule : null;
  };

  const address = parseIp(subject.clientIp);
  if (!address)
    throw new Error(`findApplicableRules needs a resolved client address, got ${subject.clientIp}`);
  const { ipv6Prefix } = getEnv().clientIp;
  const prefixes = numberPrefixes(subject.phone);
  let block: AdminRule | null = null;
  let safe = false;
  if (rules.size > 0) {
    block =
      found("block-ip", addressBlockKey(address, ipv6Prefix)) ??
      blockableNetworkLengths(address.version, ipv6Prefix)
        .map((length) => found("block-subnet", formatNetwork(address, length)))
        .find(Boolean) ??
      found("block-phone", subject.phone) ??
      prefixes.map((prefix) => found("block-prefix", prefix)).find(Boolean) ??
      (subject.country ? found("block-country", subject.country) : null);
    safe =
      found("safe-phone", subject.phone) !== null || prefixes.some((prefix) => found("safe-prefix", prefix));
  }
  return { block, safe, version: snapshot.version };
}

/** The budget decision's precondition that the rules `verdict` was read from are still the current ones. */
export function rulesAreCurrent(verdict: RulesVerdict): { key: string; equals: number | null } {
  return { key: `${RULES_KEY}:version`, equals: verdict.version === 0 ? null : verdict.version };
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
