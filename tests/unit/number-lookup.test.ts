import { describe, expect, it } from "vitest";
import { acceptsLineType } from "@/lib/defenses/destination-policy";
import { doubtAbout } from "@/lib/defenses/number-lookup";
import { parseEnv } from "@/lib/env";

const none = { countries: new Set<string>() };
const usListed = { countries: new Set(["US"]) };
const clean = { suspicious: false };

describe("when a number is in doubt", () => {
  it("trusts numbers libphonenumber calls mobile, wherever they are", () => {
    for (const phone of ["+6581234567", "+447400123456", "+4915123456789", "+61491570156"]) {
      expect(doubtAbout(phone, usListed, clean)).toBeNull();
    }
  });

  it("trusts US and Canadian numbers unless their country is listed", () => {
    expect(doubtAbout("+12025550123", none, clean)).toBeNull();
    expect(doubtAbout("+16135550123", none, clean)).toBeNull();
    expect(doubtAbout("+12025550123", usListed, clean)).toBe("fixed_line_or_mobile");
    expect(doubtAbout("+16135550123", usListed, clean)).toBeNull();
  });

  it("doubts a number libphonenumber cannot type", () => {
    expect(doubtAbout("+15555550100", none, clean)).toBe("unclassified");
  });

  it("doubts any number in a range under suspicion, mobile ones too", () => {
    expect(doubtAbout("+6581234567", none, { suspicious: true })).toBe("suspicious");
    expect(doubtAbout("+12025550123", none, { suspicious: true })).toBe("suspicious");
  });
});

describe("which looked-up line types receive codes", () => {
  it("accepts mobile and undecided numbers, VoIP only when allowed", () => {
    const strict = { allowVoip: false };
    expect(acceptsLineType("MOBILE", strict)).toBe(true);
    expect(acceptsLineType("FIXED_LINE_OR_MOBILE", strict)).toBe(true);
    expect(acceptsLineType("VOIP", strict)).toBe(false);
    expect(acceptsLineType("VOIP", { allowVoip: true })).toBe(true);
    for (const type of ["FIXED_LINE", "PREMIUM_RATE", "TOLL_FREE", "SHARED_COST", "UNKNOWN", undefined]) {
      expect(acceptsLineType(type, { allowVoip: true })).toBe(false);
    }
  });
});

describe("number lookup settings", () => {
  it("looks up no country's numbers for being fixed line or mobile unless told, with free lookups", () => {
    expect(parseEnv({ NODE_ENV: "development" }).numberLookup).toEqual({
      countries: new Set(),
      type: "format",
      priceMicroUsd: 5000,
    });
    expect(
      parseEnv({ NODE_ENV: "development", NUMBER_LOOKUP_COUNTRIES: "us, CA", NUMBER_LOOKUP_TYPE: "operator" })
        .numberLookup,
    ).toMatchObject({ countries: new Set(["US", "CA"]), type: "operator" });
  });

  it("names an unknown country or lookup type at startup", () => {
    expect(() => parseEnv({ NODE_ENV: "development", NUMBER_LOOKUP_COUNTRIES: "US,XX" })).toThrow(
      "NUMBER_LOOKUP_COUNTRIES has unknown country codes: XX.",
    );
    expect(() => parseEnv({ NODE_ENV: "development", NUMBER_LOOKUP_TYPE: "hlr" })).toThrow(
      /NUMBER_LOOKUP_TYPE/,
    );
  });
});
