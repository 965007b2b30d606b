import { describe, expect, it } from "vitest";
import { eventFiltersSchema, eventQuerySchema, newRuleSchema, parseFilterTime } from "@/lib/api/admin";
import { sendRequestSchema, sendRequestSchemaFor, verifyRequestSchemaFor } from "@/lib/api/otp";

/** The first message zod gives for each field, as the forms and the JSON envelope show them. */
function fieldMessages(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  const fields: Record<string, string> = {};
  for (const issue of result.error?.issues ?? []) fields[issue.path.join(".")] ??= issue.message;
  return fields;
}

describe("sendRequestSchema: the form's fields", () => {
  it("accepts the documented body and rejects unknown fields and bad countries", () => {
    expect(sendRequestSchema.safeParse({ phone: "+6581234567" }).success).toBe(true);
    expect(sendRequestSchema.safeParse({ phone: "81234567", country: "SG" }).success).toBe(true);
    expect(sendRequestSchema.safeParse({ phone: "81234567", country: "SG", admin: true }).success).toBe(
      false,
    );
    const badCountry = sendRequestSchema.safeParse({ phone: "81234567", country: "ZZ" });
    expect(badCountry.success).toBe(false);
    expect(badCountry.error?.issues[0]?.path).toEqual(["country"]);
  });

  it("puts the phone parser's own words on the phone field", () => {
    expect(fieldMessages(sendRequestSchema.safeParse({ phone: "8123", country: "SG" }))).toEqual({
      phone: "Too short for Singapore.",
    });
  });

  it("speaks the request's language", () => {
    const indonesian = sendRequestSchemaFor("id");
    expect(fieldMessages(indonesian.safeParse({ phone: "8123", country: "SG" }))).toEqual({
      phone: "Terlalu pendek untuk Singapura.",
    });
    expect(fieldMessages(indonesian.safeParse({ phone: "" }))).toEqual({
      phone: "Masukkan nomor ponsel Anda.",
    });
  });
});

describe("sendRequestSchema", () => {
  it("adds the CAPTCHA token and the honeypot to the form's fields, and nothing else", () => {
    expect(sendRequestSchema.safeParse({ phone: "+6581234567", captcha: "token", website: "" }).success).toBe(
      true,
    );
    expect(sendRequestSchema.safeParse({ phone: "+6581234567", captcha: "x".repeat(20_001) }).success).toBe(
      false,
    );
    expect(sendRequestSchema.safeParse({ phone: "+6581234567", role: "admin" }).success).toBe(false);
  });
});

describe("verifyRequestSchemaFor", () => {
  it("accepts exactly the configured number of digits", () => {
    const schema = verifyRequestSchemaFor(6);
    expect(schema.safeParse({ code: "123456" }).success).toBe(true);
    expect(schema.safeParse({ code: " 123456 " }).success).toBe(true);
    expect(schema.safeParse({ code: "12345" }).success).toBe(false);
    expect(schema.safeParse({ code: "12345a" }).success).toBe(false);
    expect(schema.safeParse({ code: 123456 }).success).toBe(false);
    expect(fieldMessages(verifyRequestSchemaFor(8).safeParse({ code: "123456" }))).toEqual({
      code: "The code has 8 digits.",
    });
  });
});

describe("newRuleSchema", () => {
  const rule = { kind: "block-prefix", value: "+6581", ttlSeconds: 3600 };

  it("accepts a rule, trims its text and defaults the reason to none", () => {
    expect(newRuleSchema.parse({ ...rule, value: "  +6581 " })).toEqual({ ...rule, reason: "" });
  });

  it("names the field that is wrong, in words an operator understands", () => {
    expect(fieldMessages(newRuleSchema.safeParse({ ...rule, value: "   " }))).toEqual({
      value: "Enter what the rule applies to.",
    });
    expect(fieldMessages(newRuleSchema.safeParse({ ...rule, ttlSeconds: 30 }))).toEqual({
      ttlSeconds: "At least 1 min.",
    });
    expect(fieldMessages(newRuleSchema.safeParse({ ...rule, ttlSeconds: 91 * 24 * 3600 }))).toEqual({
      ttlSeconds: "At most 90 days.",
    });
    expect(fieldMessages(newRuleSchema.safeParse({ ...rule, reason: "x".repeat(201) }))).toEqual({
      reason: "At most 200 characters.",
    });
    expect(fieldMessages(newRuleSchema.safeParse({ ...rule, kind: "allow-everything" }))).toEqual({
      kind: "Choose what the rule does.",
    });
  });

  it("refuses fields it does not know, such as who created the rule", () => {
    expect(newRuleSchema.safeParse({ ...rule, createdBy: "+6589990001" }).success).toBe(false);
  });
});

describe("eventQuerySchema", () => {
  it("reads blank filter fields (an empty form field) as no filter", () => {
    expect(eventQuerySchema.parse({ rule: "", ip: "", country: "", route: "", limit: "" })).toEqual({
      rule: undefined,
      ip: undefined,
      country: undefined,
      route: undefined,
      limit: undefined,
    });
    expect(eventFiltersSchema.parse({ ip: "203.0.113.0/24", prefix: "+6581" })).toMatchObject({
      ip: "203.0.113.0/24",
      prefix: "+6581",
    });
  });

  it("names each malformed parameter in the words of its field, and refuses unknown ones such as a filter on hidden digits", () => {
    expect(
      fieldMessages(eventQuerySchema.safeParse({ ip: "<script>", cursor: "__proto__", limit: "abc" })),
    ).toEqual({
      ip: "Address or network is an address or a network such as 203.0.113.0/24.",
      cursor: "The page link is not one the console made: start again from the newest events.",
      limit: expect.any(String),
    });
    expect(fieldMessages(eventQuerySchema.safeParse({ route: "DROP" }))).toEqual({
      route: "Route is one of POST /api/otp/send, POST /api/otp/verify, GET /api/captcha/challenge.",
    });
    expect(fieldMessages(eventQuerySchema.safeParse({ country: "Singapore", from: "yesterday" }))).toEqual({
      country: "Country is a two-letter code such as SG.",
      from: "From is a date and time such as 2026-11-29 08:00.",
    });
    expect(eventQuerySchema.safeParse({ phoneSuffix: "4567" }).success).toBe(false);
    expect(eventFiltersSchema.safeParse({ cursor: "1-0" }).success).toBe(false);
  });

  it("takes rules and families from the refusal catalogue only", () => {
    for (const rule of ["captcha.invalid", "captcha.*", "limit.send.*", "client_ip"])
      expect(eventFiltersSchema.safeParse({ rule }).success, rule).toBe(true);
    for (const rule of ["captcha", "limit.send.ip.*", "no.such.rule", "*"])
      expect(fieldMessages(eventFiltersSchema.safeParse({ rule })), rule).toEqual({
        rule: "Rule is one of the rules or families in the list, such as captcha.*.",
      });
  });

  it("refuses a time range that ends before it starts, on the To field, and counts To's whole minute", () => {
    expect(
      fieldMessages(eventFiltersSchema.safeParse({ from: "2026-11-29T09:00", to: "2026-11-29T08:59" })),
    ).toEqual({ to: "To is before From: choose a later time." });
    expect(eventFiltersSchema.safeParse({ from: "2026-11-29T09:00", to: "2026-11-29T09:00" }).success).toBe(
      true,
    );
    expect(parseFilterTime("2026-11-29T09:00", true)).toBe(Date.parse("2026-11-29T09:00:59.999Z"));
    expect(parseFilterTime("2026-11-29T09:00:30")).toBe(Date.parse("2026-11-29T09:00:30Z"));
    expect(parseFilterTime("2026-02-30T09:00")).toBeNaN();
  });

  it("pages older with cursor or newer with after, never both", () => {
    expect(eventQuerySchema.safeParse({ after: "1700000000000-0" }).success).toBe(true);
    expect(fieldMessages(eventQuerySchema.safeParse({ cursor: "1-0", after: "2-0" }))).toEqual({
      after: "Give cursor or after, not both.",
    });
  });
});
