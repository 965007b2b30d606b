import { describe, expect, it } from "vitest";
import { getCountries, getExampleNumber, parsePhoneNumberFromString } from "libphonenumber-js/max";
import examples from "libphonenumber-js/examples.mobile.json";
import { callingCodeOf, maskPhone, parsePhone } from "@/lib/phone";

describe("parsePhone", () => {
  it("normalises every spelling of one number to the same E.164", () => {
    const spellings = [
      ["8123 4567", "SG"],
      ["+65 8123 4567", undefined],
      ["+65 (8123) 4567", "US"],
      ["0065-8123-4567", undefined],
      ["+6581234567", "SG"],
    ] as const;
    const results = spellings.map(([input, country]) => parsePhone(input, country));
    for (const result of results)
      expect(result).toEqual({ ok: true, phone: { e164: "+6581234567", country: "SG" } });
  });

  it("names the country in length errors", () => {
    expect(parsePhone("8123", "SG")).toEqual({ ok: false, message: "Too short for Singapore." });
    expect(parsePhone("8123 4567 8901 2345", "SG")).toEqual({
      ok: false,
      message: "Too long for Singapore.",
    });
    expect(parsePhone("+44 7700 9", undefined)).toEqual({ ok: false, message: "Too short for +44 numbers." });
  });

  it("explains missing countries, letters and unknown country codes", () => {
    expect(parsePhone("8123 4567", undefined)).toMatchObject({
      ok: false,
      message: expect.stringContaining("Pick a country"),
    });
    expect(parsePhone("call me", "SG")).toMatchObject({
      ok: false,
      message: expect.stringContaining("digits only"),
    });
    expect(parsePhone("+999 1234 5678", undefined)).toEqual({
      ok: false,
      message: "Unknown country code. Check the digits after +.",
    });
    expect(parsePhone("", "SG")).toEqual({ ok: false, message: "Enter your phone number." });
  });

  it("rejects a number of the right length that no operator issues", () => {
    expect(parsePhone("1234 5678", "SG")).toEqual({
      ok: false,
      message: "Not a valid number for Singapore.",
    });
  });
});

describe("callingCodeOf", () => {
  it("reads the calling code of every country's numbers as libphonenumber parses it", () => {
    const numbers = getCountries().map((country) => getExampleNumber(country, examples)!.number);
    expect(numbers.length).toBeGreaterThan(200);
    for (const e164 of numbers)
      expect(callingCodeOf(e164), e164).toBe(parsePhoneNumberFromString(e164)!.countryCallingCode);
  });

  it("tells apart codes that share their first digits, and parses a non-geographic number", () => {
    expect(callingCodeOf("+14155550123")).toBe("1");
    expect(callingCodeOf("+79161234567")).toBe("7");
    expect(callingCodeOf("+35312345678")).toBe("353");
    expect(callingCodeOf("+35891234567")).toBe("358");
    expect(callingCodeOf("+88212345678")).toBe("882");
    expect(callingCodeOf("+80012345678")).toBe("800");
  });
});

describe("maskPhone", () => {
  it("keeps the country code and the last four digits only", () => {
    expect(maskPhone("+6581234567")).toBe("+65 ••••4567");
    expect(maskPhone("+14155550123")).toBe("+1 ••••••0123");
  });
});
