import "server-only";
import type { AdminRule, NewRule, RuleKind } from "@/lib/api/admin";
import { captchaFailed, type CaptchaClaim } from "@/lib/defenses/captcha";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { formatIp, formatNetwork, parseIp, parseIpRange, type IpAddress } from "@/lib/client-ip/ip-address";
import { isKnownCountry, parsePhone } from "@/lib/phone";
import { getStore } from "@/lib/store";

/**
 * Operator rules, each with a TTL: blocks of an address, a network, a number, a number prefix or
 * a destination country; and a safe list of numbers and prefixes that the automatic per-number and
 * per-prefix limits never refuse. They live in the store, so they take effect on the next request
 * on every instance. One owner for the `rule:` keys; the send path reads all that could apply in
 * one round trip. A rule's shape and the body that adds one are the API's (lib/api/admin.ts).
 */
const INDEX_KEY = "rule:index";
const ruleKey = (kind: RuleKind, value: string) => `rule:${kind}:${value}`;

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
 * Looking up every enclosing network in the same MGET keeps the send path at one round trip
 * whatever was blocked, where a list of ranges would need a scan (or a second read) per send.
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
  /** The client's address, canonical (as resolved by lib/client-ip/strategies.ts). */
  clientIp: string;
  phone: string;
  prefix: string;
  country: string | null;
};

/**
 * The operator rules that apply to a send — the first block found (which refuses it), and whether
 * the number or a prefix of it is on the safe list — read in one round trip, which also makes
 * `claim` (a solved CAPTCHA's single-use mark), so the refusal path stays at one round trip.
 *
 * Network blocks match by containment: the keys of every enclosing network the rules accept
 * ({@link blockableNetworkLengths}) are read in the same MGET, so a /16 block refuses every
 * address inside it. A claim that is void while a flag is set (a proof of work bought before
 * attack mode raised the price) reads that flag here too, and is refused as `captcha.outdated`.
 */
export async function findApplicableRules(
  subject: RequestSubject,
  claim: CaptchaClaim | null = null,
): Promise<{ block: AdminRule | null; safe: boolean; claimed: boolean }> {
  const address = parseIp(subject.clientIp);
  if (!address)
    throw new Error(`findApplicableRules needs a resolved client address, got ${subject.clientIp}`);
  const { ipv6Prefix } = getEnv().clientIp;
  const prefixes = numberPrefixes(subject.phone);
  const blockKeys = [
    ruleKey("block-ip", addressBlockKey(address, ipv6Prefix)),
    ...blockableNetworkLengths(address.version, ipv6Prefix).map((length) =>
      ruleKey("block-subnet", formatNetwork(address, length)),
    ),
    ruleKey("block-phone", subject.phone),
    ...prefixes.map((prefix) => ruleKey("block-prefix", prefix)),
    ...(subject.country ? [ruleKey("block-country", subject.country)] : []),
  ];
  const safeKeys = [
    ruleKey("safe-phone", subject.phone),
    ...prefixes.map((prefix) => ruleKey("safe-prefix", prefix)),
  ];
  const voidKeys = claim?.voidWhileSet ? [claim.voidWhileSet] : [];
  const { claimed, values } = await getStore().claimAndGetMany<AdminRule>(
    claim && { key: claim.key, ttlSeconds: claim.ttlSeconds },
    [...blockKeys, ...safeKeys, ...voidKeys],
  );
  if (voidKeys.length > 0 && values.at(-1) !== null) throw captchaFailed("captcha.outdated");
  return {
    block: values.slice(0, blockKeys.length).find((rule) => rule !== null) ?? null,
    safe: values.slice(blockKeys.length, blockKeys.length + safeKeys.length).some((rule) => rule !== null),
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
