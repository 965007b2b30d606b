import { config } from "@/lib/config";
import {
  formatIp,
  formatNetwork,
  isPublicIp,
  parseIpRange,
  parseIpWithOptionalPort,
  rangeContains,
  type IpAddress,
  type IpRange,
} from "./ip-address";

/**
 * Which client address to believe, given the proxies in front of the app. Every strategy walks
 * from the right — the end that our own proxies write — and never trusts the leftmost entry,
 * which any client can forge ("The perils of the 'real' client IP", A. Pritchard; 8x8's security
 * page on X-Forwarded-For spoofing).
 *
 * - `rightmost-trusted-count`: exactly `trustedCount` proxies append to `header`; the client is
 *   the `trustedCount`-th entry from the right. A direct peer that is not on a loopback or
 *   private network cannot be one of those proxies: it is the client, and the header is ignored.
 * - `rightmost-trusted-range`: proxies are known by address; skip entries inside `trustedRanges`
 *   from the right, and take the first one outside. A direct peer outside the ranges is the client.
 * - `rightmost-non-private`: the first public address from the right (proxies on private networks).
 *   A public direct peer is the client.
 * - `single-header`: an edge that overwrites one header with the client address
 *   (`cf-connecting-ip`, `fly-client-ip`…); the value must be exactly one address.
 *
 * Rightmost strategies read `x-forwarded-for`-style lists or RFC 7239 `forwarded`.
 * No imports beyond `./ip-address`: this loads in any runtime, with or without Next.js.
 */
export type ClientIpStrategy =
  | { type: "rightmost-trusted-count"; header: string; trustedCount: number }
  | { type: "rightmost-trusted-range"; header: string; trustedRanges: string[] }
  | { type: "rightmost-non-private"; header: string }
  | { type: "single-header"; header: string };

/**
 * The client's address in canonical form (dotted IPv4, RFC 5952 IPv6), or null when the headers
 * do not name one that the strategy can trust. Linear in the header's length.
 *
 * `remoteAddr` is the socket peer (`ip` or `ip:port`) when the server can supply it.
 */
export function resolveClientIp(
  headers: Headers,
  strategy: ClientIpStrategy,
  remoteAddr?: string,
): string | null {
  switch (strategy.type) {
    case "single-header": {
      const value = headers.get(strategy.header);
      if (value === null || value.indexOf(",") !== -1) return null;
      const address = parseIpWithOptionalPort(trimSpacesAndTabs(value));
      return address ? formatIp(address) : null;
    }
    case "rightmost-trusted-count": {
      const count = strategy.trustedCount;
      if (!Number.isInteger(count) || count < 1) return null;
      if (remoteAddr !== undefined) {
        const peer = parseIpWithOptionalPort(trimSpacesAndTabs(remoteAddr));
        if (!peer) return null;
        if (!isProxyNetworkAddress(peer)) return formatIp(peer);
      }
      const parseEntry = entryParserFor(strategy.header);
      let seen = 0;
      let result: string | null = null;
      walkFromRight(headers.get(strategy.header), (entry) => {
        seen += 1;
        if (seen < count) return false;
        const address = parseEntry(entry);
        result = address ? formatIp(address) : null;
        return true;
      });
      return result;
    }
    case "rightmost-trusted-range": {
      const ranges = compileRanges(strategy.trustedRanges);
      const inTrustedRange = (address: IpAddress) => ranges.some((range) => rangeContains(range, address));
      if (remoteAddr !== undefined) {
        const peer = parseIpWithOptionalPort(trimSpacesAndTabs(remoteAddr));
        if (peer && !inTrustedRange(peer)) return formatIp(peer);
      }
      const parseEntry = entryParserFor(strategy.header);
      let result: string | null = null;
      walkFromRight(headers.get(strategy.header), (entry) => {
        const address = parseEntry(entry);
        if (address && inTrustedRange(address)) return false;
        result = address ? formatIp(address) : null;
        return true;
      });
      return result;
    }
    case "rightmost-non-private": {
      if (remoteAddr !== undefined) {
        const peer = parseIpWithOptionalPort(trimSpacesAndTabs(remoteAddr));
        if (!peer) return null;
        if (isPublicIp(peer)) return formatIp(peer);
      }
      const parseEntry = entryParserFor(strategy.header);
      let result: string | null = null;
      walkFromRight(headers.get(strategy.header), (entry) => {
        const address = parseEntry(entry);
        if (!address || !isPublicIp(address)) return false;
        result = formatIp(address);
        return true;
      });
      return result;
    }
    default:
      return null;
  }
}

/**
 * Visits the non-empty, trimmed, comma-separated entries of a forwarding header from the right,
 * until `visit` returns true. Only what is needed is read: a long forged prefix costs nothing
 * unless the walk reaches it. Repeated header lines arrive joined with ", " and so form one list.
 * Splitting on every comma — even inside a quoted `forwarded` value — means a client cannot open
 * a quote that swallows the entries our proxies append; such an entry is simply invalid.
 */
function walkFromRight(value: string | null, visit: (entry: string) => boolean): void {
  if (value === null) return;
  let end = value.length;
  while (end > 0) {
    const comma = value.lastIndexOf(",", end - 1);
    const entry = trimSpacesAndTabs(value.slice(comma + 1, end));
    if (entry !== "" && visit(entry)) return;
    end = comma;
  }
}

function entryParserFor(header: string): (entry: string) => IpAddress | null {
  return header.toLowerCase() === "forwarded" ? parseForwardedFor : parseIpWithOptionalPort;
}

/**
 * The `for=` node of one RFC 7239 forwarded-element (`for=192.0.2.60;proto=http;by=203.0.113.43`).
 * Quoted values are unquoted; `unknown` and obfuscated identifiers (`_hidden`) are not addresses.
 */
function parseForwardedFor(element: string): IpAddress | null {
  let found: string | null = null;
  let start = 0;
  while (start < element.length) {
    let end = element.indexOf(";", start);
    if (end === -1) end = element.length;
    const equals = element.indexOf("=", start);
    if (equals !== -1 && equals < end && isForName(element, start, equals)) {
      if (found !== null) return null; // a parameter may appear once per element
      found = trimSpacesAndTabs(element.slice(equals + 1, end));
    }
    start = end + 1;
  }
  if (found === null) return null;
  if (found.length >= 2 && found.charCodeAt(0) === 34 && found.charCodeAt(found.length - 1) === 34) {
    found = unquote(found.slice(1, -1));
    if (found === null) return null;
  }
  return parseIpWithOptionalPort(found);
}

/** Whether `element[start, end)` is "for" in any case, around optional spaces and tabs. */
function isForName(element: string, start: number, end: number): boolean {
  while (start < end && (element.charCodeAt(start) === 32 || element.charCodeAt(start) === 9)) start += 1;
  while (end > start && (element.charCodeAt(end - 1) === 32 || element.charCodeAt(end - 1) === 9)) end -= 1;
  return (
    end - start === 3 &&
    (element.charCodeAt(start) | 32) === 102 && // f
    (element.charCodeAt(start + 1) | 32) === 111 && // o
    (element.charCodeAt(start + 2) | 32) === 114 // r
  );
}

/** The content of an RFC 9110 quoted-string, with `\x` unescaped; null when a quote is left open. */
function unquote(inner: string): string | null {
  if (inner.indexOf("\\") === -1) return inner.indexOf('"') === -1 ? inner : null;
  let result = "";
  for (let index = 0; index < inner.length; index += 1) {
    const char = inner[index]!;
    if (char === '"') return null;
    if (char === "\\") {
      index += 1;
      if (index === inner.length) return null;
      result += inner[index];
    } else {
      result += char;
    }
  }
  return result;
}

function trimSpacesAndTabs(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start += 1;
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end -= 1;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * Where a reverse proxy of the app's own can connect from: loopback, RFC 1918 and shared (CGNAT)
 * IPv4 space, link-local, and IPv6 unique-local. A peer elsewhere reached the app directly, so
 * what it wrote in a forwarding header is its own claim. A proxy on a public address is named
 * with `rightmost-trusted-range` instead.
 */
const proxyNetworks = [
  "127.0.0.0/8",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "169.254.0.0/16",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
].map((text) => parseIpRange(text)!);

export function isProxyNetworkAddress(address: IpAddress): boolean {
  return proxyNetworks.some((range) => rangeContains(range, address));
}

// Strategies from configuration are long-lived objects: parse their ranges once.
const compiledRanges = new WeakMap<readonly string[], IpRange[]>();

/** Parsed trusted ranges; a malformed one matches nothing (configuration validation reports it). */
function compileRanges(ranges: readonly string[]): IpRange[] {
  let compiled = compiledRanges.get(ranges);
  if (!compiled) {
    compiled = [];
    for (const text of ranges) {
      const range = parseIpRange(text);
      if (range) compiled.push(range);
    }
    compiledRanges.set(ranges, compiled);
  }
  return compiled;
}

export type IpRateLimitKeys = {
  /** The address itself (IPv4), or its /64 (IPv6: one subscriber usually holds a whole /64). */
  address: string;
  /** The surrounding network: /24 for IPv4, /48 for IPv6 — one attacker's neighbouring addresses. */
  aggregate: string;
};

/**
 * Rate-limit keys for a client address. Only a valid address yields keys, always in canonical
 * form, so two spellings of one address share one bucket.
 */
export function deriveIpKeys(
  ip: string,
  ipv6Prefix: number = config.clientIp.ipv6Prefix.value,
): IpRateLimitKeys | null {
  const address = parseIpWithOptionalPort(ip);
  if (!address) return null;
  if (address.version === 4) return { address: formatIp(address), aggregate: formatNetwork(address, 24) };
  return {
    address: formatNetwork(address, ipv6Prefix),
    aggregate: formatNetwork(address, Math.min(48, ipv6Prefix)),
  };
}
