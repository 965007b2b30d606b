import { describe, expect, it } from "vitest";
import { parseClientIpSettings } from "@/lib/client-ip/settings";

describe("client-IP settings", () => {
  it("refuses to start in production without an explicit choice", () => {
    expect(() => parseClientIpSettings({}, true)).toThrow(/Set CLIENT_IP_PRESET .* or CLIENT_IP_STRATEGY/);
  });

  it("uses the rightmost X-Forwarded-For entry in development, and says so", () => {
    expect(parseClientIpSettings({}, false)).toMatchObject({
      strategy: { type: "rightmost-trusted-count", header: "x-forwarded-for", trustedCount: 1 },
      source: "development default",
      requiresPeerAddress: false,
    });
  });

  it("maps each preset to its strategy; only direct needs the stamped peer", () => {
    expect(parseClientIpSettings({ CLIENT_IP_PRESET: "cloudflare" }, true).strategy).toEqual({
      type: "single-header",
      header: "cf-connecting-ip",
    });
    expect(parseClientIpSettings({ CLIENT_IP_PRESET: "fly" }, true).strategy.header).toBe("fly-client-ip");
    expect(parseClientIpSettings({ CLIENT_IP_PRESET: "vercel" }, true).requiresPeerAddress).toBe(false);
    expect(parseClientIpSettings({ CLIENT_IP_PRESET: "direct" }, true).requiresPeerAddress).toBe(true);
    expect(() => parseClientIpSettings({ CLIENT_IP_PRESET: "heroku" }, true)).toThrow(
      /must be one of vercel/,
    );
  });

  it("builds explicit strategies and names what is missing or contradictory", () => {
    expect(
      parseClientIpSettings(
        {
          CLIENT_IP_STRATEGY: "rightmost-trusted-range",
          CLIENT_IP_TRUSTED_RANGES: "10.0.0.0/8, 2001:db8::/32",
        },
        true,
      ).strategy,
    ).toEqual({
      type: "rightmost-trusted-range",
      header: "x-forwarded-for",
      trustedRanges: ["10.0.0.0/8", "2001:db8::/32"],
    });
    expect(
      parseClientIpSettings(
        {
          CLIENT_IP_STRATEGY: "rightmost-trusted-count",
          CLIENT_IP_TRUSTED_COUNT: "2",
          CLIENT_IP_HEADER: "Forwarded",
        },
        true,
      ).strategy,
    ).toEqual({ type: "rightmost-trusted-count", header: "forwarded", trustedCount: 2 });

    const failures: [Record<string, string>, RegExp][] = [
      [{ CLIENT_IP_STRATEGY: "rightmost-trusted-count" }, /needs CLIENT_IP_TRUSTED_COUNT/],
      [{ CLIENT_IP_STRATEGY: "single-header" }, /needs CLIENT_IP_HEADER/],
      [{ CLIENT_IP_STRATEGY: "leftmost" }, /must be one of/],
      [{ CLIENT_IP_PRESET: "vercel", CLIENT_IP_STRATEGY: "single-header" }, /cannot be combined/],
      [
        { CLIENT_IP_STRATEGY: "rightmost-non-private", CLIENT_IP_TRUSTED_COUNT: "1" },
        /only applies to rightmost-trusted-count/,
      ],
      [
        { CLIENT_IP_STRATEGY: "rightmost-trusted-range", CLIENT_IP_TRUSTED_RANGES: "10.0.0.0/33, nope" },
        /invalid ranges: 10.0.0.0\/33, nope/,
      ],
      [
        {
          CLIENT_IP_STRATEGY: "rightmost-trusted-count",
          CLIENT_IP_TRUSTED_COUNT: "1",
          CLIENT_IP_HEADER: "x-real-ip",
        },
        /reads x-forwarded-for or forwarded/,
      ],
      [{ CLIENT_IP_IPV6_PREFIX: "32" }, /from 48 to 128/],
    ];
    for (const [env, message] of failures) expect(() => parseClientIpSettings(env, true)).toThrow(message);
  });
});
