/**
 * Strict IP address parsing, canonical formatting and range checks, written by hand because they
 * must run in linear time on attacker-controlled headers (no backtracking regular expressions)
 * and be exact about what counts as an address:
 *
 * - IPv4 is a dotted quad of decimal octets 0–255 with no leading zeros (`010.0.0.1` is refused:
 *   some parsers read it as octal).
 * - IPv6 follows RFC 4291 §2.2, including an embedded dotted quad in the last 32 bits; a zone
 *   (`%eth0`) is accepted and dropped.
 * - Output is canonical: dotted decimal, or RFC 5952 for IPv6. An IPv4-mapped IPv6 address
 *   (`::ffff:192.0.2.1`, in any spelling) is the IPv4 address it maps; other IPv4-embedding forms
 *   (NAT64, 6to4, `::1.2.3.4`) stay IPv6.
 *
 * No imports, so it loads anywhere (server, edge, browser, plain Node).
 */

/** `bytes` holds 4 or 16 octets; plain arrays, which V8 allocates far faster than typed arrays. */
export type IpAddress = { version: 4 | 6; bytes: number[] };

const ZERO = 48;
const NINE = 57;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

function hexValue(code: number): number {
  if (code >= ZERO && code <= NINE) return code - ZERO;
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/** Parses a strict dotted quad into `out` at `offset`; false when it is not one. */
function parseIpv4Into(text: string, start: number, end: number, out: number[], offset: number): boolean {
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let index = start; index <= end; index += 1) {
    const code = index === end ? 46 : text.charCodeAt(index); // treat the end as a final "."
    if (code === 46) {
      if (digits === 0 || parts === 4) return false;
      out[offset + parts] = octet;
      parts += 1;
      octet = 0;
      digits = 0;
    } else if (isDigit(code)) {
      if (digits > 0 && octet === 0) return false; // leading zero
      octet = octet * 10 + (code - ZERO);
      digits += 1;
      if (octet > 255) return false;
    } else {
      return false;
    }
  }
  return parts === 4;
}

/** Parses an IPv6 address (no brackets, no zone) into 16 bytes; null when it is not one. */
function parseIpv6(text: string, start: number, end: number): number[] | null {
  if (end - start < 2 || end - start > 45) return null;
  // Octets before "::" go to `head`, after it to `tail`; the gap is zeros.
  const head: number[] = [];
  let tail: number[] | null = null;
  let index = start;

  if (text.charCodeAt(index) === 58) {
    if (text.charCodeAt(index + 1) !== 58) return null; // a lone leading ":"
    tail = [];
    index += 2;
  }

  while (index < end) {
    const out = tail ?? head;
    if (head.length + (tail?.length ?? 0) >= 16) return null;
    // Read one group: up to 4 hex digits, or a dotted quad in the last 32 bits.
    let value = 0;
    let digits = 0;
    const groupStart = index;
    while (index < end) {
      const hex = hexValue(text.charCodeAt(index));
      if (hex === -1) break;
      value = value * 16 + hex;
      digits += 1;
      index += 1;
      if (digits > 4) return null;
    }
    if (index < end && text.charCodeAt(index) === 46) {
      if (head.length + (tail?.length ?? 0) > 12) return null;
      if (!parseIpv4Into(text, groupStart, end, out, out.length)) return null;
      index = end;
      break;
    }
    if (digits === 0) return null;
    out.push(value >> 8, value & 0xff);

    if (index === end) break;
    if (text.charCodeAt(index) !== 58) return null;
    index += 1;
    if (index < end && text.charCodeAt(index) === 58) {
      if (tail !== null) return null; // a second "::"
      tail = [];
      index += 1;
    } else if (index === end) {
      return null; // a lone trailing ":"
    }
  }

  if (tail === null) return head.length === 16 ? head : null;
  const gap = 16 - head.length - tail.length;
  if (gap < 2) return null; // "::" stands for at least one group
  for (let fill = 0; fill < gap; fill += 1) head.push(0);
  for (const byte of tail) head.push(byte);
  return head;
}

function isIpv4Mapped(bytes: number[]): boolean {
  for (let index = 0; index < 10; index += 1) if (bytes[index] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function normalise(version: 4 | 6, bytes: number[]): IpAddress {
  return version === 6 && isIpv4Mapped(bytes) ? { version: 4, bytes: bytes.slice(12) } : { version, bytes };
}

function isUnspecified(address: IpAddress): boolean {
  return address.bytes.every((byte) => byte === 0);
}

/** A bare address (no port, no brackets), or null. Zones are dropped; 0.0.0.0 and :: are refused. */
export function parseIp(text: string): IpAddress | null {
  let end = text.length;
  const percent = text.indexOf("%");
  const hasColon = text.indexOf(":") !== -1;
  if (percent !== -1) {
    if (!hasColon || percent === end - 1) return null; // zones are IPv6-only and not empty
    end = percent;
  }
  let address: IpAddress | null = null;
  if (hasColon) {
    const bytes = parseIpv6(text, 0, end);
    if (bytes) address = normalise(6, bytes);
  } else {
    const bytes: number[] = [];
    if (parseIpv4Into(text, 0, end, bytes, 0)) address = { version: 4, bytes };
  }
  return address && !isUnspecified(address) ? address : null;
}

function isPort(text: string, start: number): boolean {
  const length = text.length - start;
  if (length < 1 || length > 5) return false;
  let value = 0;
  for (let index = start; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (!isDigit(code)) return false;
    value = value * 10 + (code - ZERO);
  }
  return value <= 65_535;
}

/**
 * One element of a forwarding header: an IPv4 address with an optional `:port`, a bare IPv6
 * address, or a bracketed IPv6 address with an optional `:port`. A bare IPv6 address never has a
 * port: `2001:db8::1:8080` is an address.
 */
export function parseIpWithOptionalPort(text: string): IpAddress | null {
  if (text.charCodeAt(0) === 91) {
    const close = text.indexOf("]");
    if (close === -1) return null;
    if (close !== text.length - 1 && !(text.charCodeAt(close + 1) === 58 && isPort(text, close + 2)))
      return null;
    const inner = text.slice(1, close);
    return inner.indexOf(":") === -1 ? null : parseIp(inner);
  }
  const firstColon = text.indexOf(":");
  if (firstColon !== -1 && firstColon === text.lastIndexOf(":")) {
    // Exactly one colon: only IPv4 with a port fits.
    if (!isPort(text, firstColon + 1)) return null;
    const host = text.slice(0, firstColon);
    const address = parseIp(host);
    return address && address.version === 4 && host.indexOf("%") === -1 ? address : null;
  }
  return parseIp(text);
}

/** Dotted decimal, or RFC 5952 §4: lowercase, no leading zeros, the longest run of ≥ 2 zero groups as "::". */
export function formatIp(address: IpAddress): string {
  const { bytes } = address;
  if (address.version === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const groups: number[] = [];
  for (let index = 0; index < 16; index += 2) groups.push((bytes[index]! << 8) | bytes[index + 1]!);

  let bestStart = -1;
  let bestLength = 1;
  for (let index = 0; index < 8;) {
    if (groups[index] !== 0) {
      index += 1;
      continue;
    }
    let runEnd = index;
    while (runEnd < 8 && groups[runEnd] === 0) runEnd += 1;
    if (runEnd - index > bestLength) {
      bestStart = index;
      bestLength = runEnd - index;
    }
    index = runEnd;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((group) => group.toString(16))
      .join(":");
  if (bestStart === -1) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

export type IpRange = { version: 4 | 6; bytes: number[]; prefix: number };

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address; null when malformed. */
export function parseIpRange(text: string): IpRange | null {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  const addressText = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const bytes =
    addressText.indexOf(":") === -1
      ? parseIpv4Bytes(addressText)
      : parseIpv6(addressText, 0, addressText.length);
  if (!bytes) return null;
  const version = bytes.length === 4 ? 4 : 6;
  const maxPrefix = version === 4 ? 32 : 128;
  let prefix = maxPrefix;
  if (slash !== -1) {
    const prefixText = trimmed.slice(slash + 1);
    if (
      prefixText === "" ||
      prefixText.length > 3 ||
      ![...prefixText].every((c) => isDigit(c.charCodeAt(0)))
    ) {
      return null;
    }
    prefix = Number(prefixText);
    if (prefix > maxPrefix) return null;
  }
  // A range written in IPv4-mapped form covers the IPv4 addresses it maps, as addresses are compared as IPv4.
  if (version === 6 && prefix >= 96 && isIpv4Mapped(bytes))
    return { version: 4, bytes: bytes.slice(12), prefix: prefix - 96 };
  return { version, bytes, prefix };
}

function parseIpv4Bytes(text: string): number[] | null {
  const bytes: number[] = [];
  return parseIpv4Into(text, 0, text.length, bytes, 0) ? bytes : null;
}

export function rangeContains(range: IpRange, address: IpAddress): boolean {
  if (range.version !== address.version) return false;
  const fullBytes = range.prefix >> 3;
  for (let index = 0; index < fullBytes; index += 1)
    if (range.bytes[index] !== address.bytes[index]) return false;
  const remainingBits = range.prefix & 7;
  if (remainingBits === 0) return true;
  const mask = (0xff << (8 - remainingBits)) & 0xff;
  return (range.bytes[fullBytes]! & mask) === (address.bytes[fullBytes]! & mask);
}

/** The network of `address` with `prefix` bits, as `address/prefix` in canonical form. */
export function formatNetwork(address: IpAddress, prefix: number): string {
  const bytes = address.bytes.slice();
  for (let bit = prefix; bit < bytes.length * 8; bit += 1) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  const network = { version: address.version, bytes };
  // The network of a /0–/n can be all zeros, which formatIp prints fine ("::", "0.0.0.0").
  return `${formatIp(network)}/${prefix}`;
}

/**
 * Ranges that are not globally reachable: private, loopback, link-local, CGNAT, documentation,
 * benchmarking, multicast, reserved (IANA special-purpose registries, RFC 6890 and successors).
 */
const nonPublicRanges: IpRange[] = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::/8",
  "64:ff9b:1::/48",
  "100::/64",
  "2001::/23",
  "2001:db8::/32",
  "3fff::/20",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
].map((text) => parseIpRange(text)!);

// Grouped by first octet, so a check looks at the one or two ranges that can match.
const nonPublicByFirstByte: (IpRange[] | undefined)[] = [];
const firstByteSlot = (version: 4 | 6, first: number) => (version === 4 ? 0 : 256) + first;
for (const range of nonPublicRanges) {
  const firstBits = Math.min(8, range.prefix);
  const span = 1 << (8 - firstBits);
  const base = range.bytes[0]! & ~(span - 1) & 0xff;
  for (let first = base; first < base + span; first += 1) {
    (nonPublicByFirstByte[firstByteSlot(range.version, first)] ??= []).push(range);
  }
}

export function isPublicIp(address: IpAddress): boolean {
  const candidates = nonPublicByFirstByte[firstByteSlot(address.version, address.bytes[0]!)];
  return !candidates || !candidates.some((range) => rangeContains(range, address));
}
