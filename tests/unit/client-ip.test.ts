import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveIpKeys, resolveClientIp, type ClientIpStrategy } from "@/lib/client-ip/strategies";

const xff = (value: string) => new Headers({ "X-Forwarded-For": value });
const count = (trustedCount: number, header = "x-forwarded-for"): ClientIpStrategy => ({
  type: "rightmost-trusted-count",
  header,
  trustedCount,
});
const ranges = (trustedRanges: string[], header = "x-forwarded-for"): ClientIpStrategy => ({
  type: "rightmost-trusted-range",
  header,
  trustedRanges,
});
const nonPrivate = (header = "x-forwarded-for"): ClientIpStrategy => ({
  type: "rightmost-non-private",
  header,
});
const single = (header: string): ClientIpStrategy => ({ type: "single-header", header });

describe("element syntax (through rightmost-trusted-count 1)", () => {
  const cases: [string, string | null][] = [
    ["203.0.113.7", "203.0.113.7"],
    ["203.0.113.7:8080", "203.0.113.7"],
    ["203.0.113.7:65536", null],
    ["203.0.113.7:", null],
    ["203.000.113.7", null],
    ["203.0.113.07", null],
    ["256.0.0.1", null],
    ["203.0.113", null],
    ["203.0.113.7.1", null],
    ["0.0.0.0", null],
    ["::", null],
    ["2001:DB8::1", "2001:db8::1"],
    ["2001:db8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8::1:8080", "2001:db8::1:8080"],
    ["[2001:db8::1]:8080", "2001:db8::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["[203.0.113.7]:80", null],
    ["[2001:db8::1", null],
    ["fe80::1%eth0", "fe80::1"],
    ["[fe80::1%25eth0]:443", "fe80::1"],
    ["203.0.113.7%eth0", null],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::FFFF:cb00:7107", "203.0.113.7"],
    ["0:0:0:0:0:ffff:203.0.113.7", "203.0.113.7"],
    ["[::ffff:203.0.113.7]:80", "203.0.113.7"],
    ["64:ff9b::203.0.113.7", "64:ff9b::cb00:7107"],
    ["2002:cb00:7107::1", "2002:cb00:7107::1"],
    ["::203.0.113.7", "::cb00:7107"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:0db8:0000:0001:0000:0000:0000:0001", "2001:db8:0:1::1"],
    ["1:2:3:4:5:6:7:8:9", null],
    ["1::2::3", null],
    ["unknown", null],
    ["_hidden", null],
    ["example.com", null],
  ];
  it.each(cases)("%s → %s", (value, expected) => {
    expect(resolveClientIp(xff(value), count(1))).toBe(expected);
  });
});

describe("rightmost-trusted-count", () => {
  it("takes the n-th entry from the right, never another", () => {
    const headers = xff("198.51.100.1, 198.51.100.2, 198.51.100.3");
    expect(resolveClientIp(headers, count(1))).toBe("198.51.100.3");
    expect(resolveClientIp(headers, count(2))).toBe("198.51.100.2");
    expect(resolveClientIp(headers, count(3))).toBe("198.51.100.1");
    expect(resolveClientIp(headers, count(4))).toBeNull();
  });

  it("answers null for an invalid entry at the position instead of falling back", () => {
    expect(resolveClientIp(xff("198.51.100.1, garbage, 10.0.0.1"), count(2))).toBeNull();
  });

  it("ignores empty elements, trims spaces and tabs, and reads repeated header lines as one list", () => {
    expect(resolveClientIp(xff(" , 198.51.100.1 ,\t,198.51.100.2\t, "), count(2))).toBe("198.51.100.1");
    const headers = new Headers();
    headers.append("x-forwarded-for", "198.51.100.1, 198.51.100.2");
    headers.append("X-Forwarded-For", "198.51.100.3");
    expect(resolveClientIp(headers, count(2))).toBe("198.51.100.2");
  });

  it("answers null when the header is absent or the count is not a positive whole number", () => {
    expect(resolveClientIp(new Headers(), count(1))).toBeNull();
    expect(resolveClientIp(xff("198.51.100.1"), count(0))).toBeNull();
    expect(resolveClientIp(xff("198.51.100.1"), count(1.5))).toBeNull();
  });

  it("reads RFC 7239 Forwarded: quoted values, bracketed IPv6 with port, other parameters", () => {
    const headers = new Headers({
      Forwarded:
        'for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711", for=unknown, for=_hidden',
    });
    expect(resolveClientIp(headers, count(4, "forwarded"))).toBe("192.0.2.60");
    expect(resolveClientIp(headers, count(3, "Forwarded"))).toBe("2001:db8:cafe::17");
    expect(resolveClientIp(headers, count(2, "forwarded"))).toBeNull();
    expect(resolveClientIp(headers, count(1, "forwarded"))).toBeNull();
  });

  it("treats Forwarded elements without for=, with two for=, or with an open quote as invalid entries", () => {
    const headers = new Headers({
      forwarded: 'proto=https, for=192.0.2.1;for=192.0.2.2, for="192.0.2.3, for=192.0.2.4',
    });
    expect(resolveClientIp(headers, count(1, "forwarded"))).toBe("192.0.2.4");
    expect(resolveClientIp(headers, count(2, "forwarded"))).toBeNull(); // the open quote
    expect(resolveClientIp(headers, count(3, "forwarded"))).toBeNull(); // for= twice
    expect(resolveClientIp(headers, count(4, "forwarded"))).toBeNull(); // no for=
  });
});

describe("rightmost-trusted-count with the TCP peer stamped by npm start", () => {
  it("ignores a forged X-Forwarded-For from a peer that is not on a proxy network: the peer is the client", () => {
    const forged = xff("198.51.100.1, 198.51.100.2");
    expect(resolveClientIp(forged, count(1), "203.0.113.50:41234")).toBe("203.0.113.50");
    expect(resolveClientIp(forged, count(2), "[2001:db8::5]:443")).toBe("2001:db8::5");
    expect(resolveClientIp(forged, count(1), "::ffff:8.8.8.8")).toBe("8.8.8.8");
    expect(resolveClientIp(new Headers(), count(1), "203.0.113.50")).toBe("203.0.113.50");
  });

  it("reads the header when the peer is a proxy on loopback or a private network", () => {
    const headers = xff("6.6.6.6, 198.51.100.1");
    for (const peer of [
      "127.0.0.1",
      "::1",
      "::ffff:127.0.0.1",
      "10.1.2.3",
      "172.20.0.5",
      "192.168.1.1",
      "100.64.0.9",
      "fd12::1",
      "fe80::1",
    ]) {
      expect(resolveClientIp(headers, count(1), peer), peer).toBe("198.51.100.1");
    }
    expect(resolveClientIp(headers, count(2), "10.0.0.1")).toBe("6.6.6.6");
  });

  it("answers null for a peer that is not an address, rather than trusting the header", () => {
    expect(resolveClientIp(xff("198.51.100.1"), count(1), "not-an-ip")).toBeNull();
  });
});

describe("rightmost-non-private with the TCP peer stamped by npm start", () => {
  it("takes a public peer as the client and walks the header behind a private one", () => {
    expect(resolveClientIp(xff("8.8.8.8"), nonPrivate(), "9.9.9.9:5000")).toBe("9.9.9.9");
    expect(resolveClientIp(xff("8.8.8.8"), nonPrivate(), "10.0.0.1")).toBe("8.8.8.8");
  });
});

describe("rightmost-trusted-range", () => {
  const strategy = ranges(["10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.9"]);

  it("returns a direct peer outside the trusted ranges, whatever the headers say", () => {
    expect(resolveClientIp(xff("198.51.100.1"), strategy, "203.0.113.50:41234")).toBe("203.0.113.50");
    expect(resolveClientIp(xff("198.51.100.1"), strategy, "[2001:db8::5]:443")).toBe("2001:db8::5");
    expect(resolveClientIp(xff("198.51.100.1"), strategy, "::ffff:203.0.113.50")).toBe("203.0.113.50");
  });

  it("walks from the right over trusted proxies when the peer is one of them", () => {
    const headers = xff("6.6.6.6, 198.51.100.1, 10.1.2.3, 192.0.2.9");
    expect(resolveClientIp(headers, strategy, "10.0.0.1")).toBe("198.51.100.1");
    expect(resolveClientIp(headers, strategy)).toBe("198.51.100.1");
    expect(resolveClientIp(xff("198.51.100.1, [2001:db8:ffff:1::2]:80"), strategy, "::ffff:10.0.0.1")).toBe(
      "198.51.100.1",
    );
  });

  it("treats an IPv4-mapped entry as the IPv4 address for range checks", () => {
    expect(resolveClientIp(xff("198.51.100.1, ::ffff:10.9.9.9"), strategy, "10.0.0.1")).toBe("198.51.100.1");
  });

  it("answers null when the first untrusted entry is invalid, all are trusted, or there are none", () => {
    expect(resolveClientIp(xff("198.51.100.1, garbage, 10.0.0.2"), strategy, "10.0.0.1")).toBeNull();
    expect(resolveClientIp(xff("10.0.0.3, 10.0.0.2"), strategy, "10.0.0.1")).toBeNull();
    expect(resolveClientIp(new Headers(), strategy, "10.0.0.1")).toBeNull();
  });

  it("walks the headers when the peer address is not a valid address", () => {
    expect(resolveClientIp(xff("198.51.100.1"), strategy, "not-an-ip")).toBe("198.51.100.1");
  });
});

describe("rightmost-non-private", () => {
  it("skips private, loopback, link-local, CGNAT, ULA, documentation, multicast and invalid entries", () => {
    const headers = xff(
      "8.8.8.8, 9.9.9.9, 10.0.0.1, 172.16.0.1, 192.168.1.1, 127.0.0.1, 169.254.1.1, 100.64.0.1, fd00::1, fe80::1, 192.0.2.1, 2001:db8::1, 224.0.0.1, ff02::1, junk",
    );
    expect(resolveClientIp(headers, nonPrivate())).toBe("9.9.9.9");
    expect(resolveClientIp(xff("2606:4700:4700::1111, fc00::1"), nonPrivate())).toBe("2606:4700:4700::1111");
  });

  it("answers null when no entry is public", () => {
    expect(resolveClientIp(xff("10.0.0.1, 192.168.0.1"), nonPrivate())).toBeNull();
  });
});

describe("single-header", () => {
  it("returns exactly one address, private ones included, with any header name case", () => {
    expect(
      resolveClientIp(new Headers({ "CF-Connecting-IP": " 203.0.113.9 " }), single("cf-connecting-ip")),
    ).toBe("203.0.113.9");
    expect(resolveClientIp(new Headers({ "x-real-ip": "10.0.0.7:1234" }), single("X-Real-IP"))).toBe(
      "10.0.0.7",
    );
    expect(resolveClientIp(new Headers({ "fly-client-ip": "2001:DB8::7" }), single("fly-client-ip"))).toBe(
      "2001:db8::7",
    );
  });

  it("answers null for lists, garbage and absence", () => {
    expect(
      resolveClientIp(new Headers({ "x-real-ip": "203.0.113.9, 203.0.113.10" }), single("x-real-ip")),
    ).toBeNull();
    expect(resolveClientIp(new Headers({ "x-real-ip": "hello" }), single("x-real-ip"))).toBeNull();
    expect(resolveClientIp(new Headers(), single("x-real-ip"))).toBeNull();
    const repeated = new Headers();
    repeated.append("true-client-ip", "203.0.113.9");
    repeated.append("true-client-ip", "203.0.113.10");
    expect(resolveClientIp(repeated, single("true-client-ip"))).toBeNull();
  });
});

describe("what an attacker controls cannot change the answer", () => {
  const anything = fc.oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.string(),
    fc.constantFrom("unknown", "_hidden", '"', "[::1", "for=", "0.0.0.0", ";", "\t"),
  );
  // Valid entries only (the generators can produce the unspecified addresses, which are refused).
  const entry = fc.oneof(fc.ipV4(), fc.ipV6()).filter((ip) => resolveClientIp(xff(ip), count(1)) !== null);

  it("rightmost-trusted-count: nothing left of the trusted position matters", () => {
    fc.assert(
      fc.property(
        fc.array(anything, { maxLength: 8 }),
        fc.array(entry, { minLength: 1, maxLength: 4 }),
        (spoofed, tail) => {
          const strategy = count(tail.length);
          const honest = resolveClientIp(xff(tail.join(", ")), strategy);
          const attacked = resolveClientIp(xff([...spoofed, ...tail].join(", ")), strategy);
          // Spoofed text can contain commas of its own, but only adds entries on the left.
          return honest !== null && attacked === honest;
        },
      ),
    );
  });

  it("rightmost-trusted-range: nothing left of the first untrusted entry matters", () => {
    const strategy = ranges(["10.0.0.0/8"]);
    const proxy = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`);
    const client = fc.ipV4().filter((ip) => !ip.startsWith("10.") && ip !== "0.0.0.0");
    fc.assert(
      fc.property(
        fc.array(anything, { maxLength: 8 }),
        client,
        fc.array(proxy, { maxLength: 3 }),
        (spoofed, real, proxies) => {
          const honest = resolveClientIp(xff([real, ...proxies].join(", ")), strategy, "10.0.0.1");
          const attacked = resolveClientIp(
            xff([...spoofed, real, ...proxies].join(", ")),
            strategy,
            "10.0.0.1",
          );
          return honest !== null && attacked === honest;
        },
      ),
    );
  });
});

describe("performance", () => {
  it("answers a 2,000-entry header with every strategy (linear parsing, no backtracking)", () => {
    const long = xff(Array.from({ length: 2000 }, (_, index) => `198.51.100.${index % 250}`).join(", "));
    expect(resolveClientIp(long, nonPrivate())).toBeNull();
    expect(resolveClientIp(long, ranges(["198.51.100.0/24"]), "198.51.100.1")).toBeNull();
    expect(resolveClientIp(long, count(2000))).toBe("198.51.100.0");
    const pathological = xff(`${"1".repeat(50_000)}:${":".repeat(50_000)}, ${"[".repeat(20_000)}`);
    expect(resolveClientIp(pathological, nonPrivate())).toBeNull();
  });
});

describe("deriveIpKeys", () => {
  it("keys IPv4 by address and /24, IPv6 by /64 and /48, in canonical form", () => {
    expect(deriveIpKeys("203.0.113.77")).toEqual({ address: "203.0.113.77", aggregate: "203.0.113.0/24" });
    expect(deriveIpKeys("2001:DB8:1:2:3:4:5:6")).toEqual({
      address: "2001:db8:1:2::/64",
      aggregate: "2001:db8:1::/48",
    });
    expect(deriveIpKeys("2001:db8:1:2:3:4:5:6", 56)).toEqual({
      address: "2001:db8:1::/56",
      aggregate: "2001:db8:1::/48",
    });
    expect(deriveIpKeys("::ffff:203.0.113.77")?.address).toBe("203.0.113.77");
  });

  it("gives two addresses of one /64 the same key and refuses invalid input", () => {
    expect(deriveIpKeys("2001:db8:1:2::1")?.address).toBe(deriveIpKeys("2001:db8:1:2:ffff::9")?.address);
    expect(deriveIpKeys("nope")).toBeNull();
    expect(deriveIpKeys("0.0.0.0")).toBeNull();
  });
});
