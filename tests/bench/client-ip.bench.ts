import { bench, describe } from "vitest";
import { resolveClientIp } from "@/lib/client-ip/strategies";

// `npm run bench:client-ip`: the cost of resolving a client address from hostile headers.
const longList = new Headers({
  "x-forwarded-for": Array.from({ length: 2000 }, (_, index) => `198.51.100.${index % 250}`).join(", "),
});
const longForwarded = new Headers({
  forwarded: Array.from(
    { length: 2000 },
    (_, index) => `for="[2001:db8::${index.toString(16)}]:80";proto=https`,
  ).join(", "),
});
const typical = new Headers({ "x-forwarded-for": "203.0.113.7, 10.0.0.2" });

describe("resolveClientIp", () => {
  bench("typical header, trusted range (one proxy)", () => {
    resolveClientIp(typical, {
      type: "rightmost-trusted-range",
      header: "x-forwarded-for",
      trustedRanges: ["10.0.0.0/8"],
    });
  });
  bench("2,000-entry X-Forwarded-For, non-private walk of every entry", () => {
    resolveClientIp(longList, { type: "rightmost-non-private", header: "x-forwarded-for" });
  });
  bench("2,000-entry Forwarded, trusted range covering every entry", () => {
    resolveClientIp(longForwarded, {
      type: "rightmost-trusted-range",
      header: "forwarded",
      trustedRanges: ["2001:db8::/32"],
    });
  });
});
