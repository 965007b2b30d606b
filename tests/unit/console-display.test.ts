import { describe, expect, it } from "vitest";
import { bucketLabel, niceScale } from "@/components/admin/bar-chart";
import { csvCell } from "@/lib/admin/console";
import { isRuleFilter, ruleFilterGroups } from "@/lib/api/rule-filter";
import { refusals } from "@/lib/http/refusals";

describe("csvCell", () => {
  it("turns what a spreadsheet would run as a formula into text", () => {
    for (const text of [
      '=HYPERLINK("http://evil.example")',
      "+1+cmd|' /C calc'!A0",
      "-2+3",
      "@SUM(A1)",
      "\tx",
      "\rx",
    ])
      expect(csvCell(text), JSON.stringify(text)).toBe(`"'${text.replaceAll('"', '""')}"`);
  });

  it("writes our own numbers, prefixes and masked numbers as they are, with no stray apostrophe", () => {
    expect(csvCell("+65 8123••••")).toBe('"+65 8123••••"');
    expect(csvCell("+658123")).toBe('"+658123"');
    // A number followed by anything else is attacker text again.
    expect(csvCell("+65 8123=A1")).toBe(`"'+65 8123=A1"`);
  });

  it("quotes every cell, doubles quotes, and writes nothing for null", () => {
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(30)).toBe('"30"');
  });
});

describe("the charts' axes", () => {
  it("round the y scale up to 1, 2 or 5 × 10ⁿ steps, about four of them", () => {
    expect(niceScale(0)).toEqual({ top: 1, step: 1 });
    expect(niceScale(3)).toEqual({ top: 3, step: 1 });
    expect(niceScale(59)).toEqual({ top: 60, step: 20 });
    expect(niceScale(64)).toEqual({ top: 80, step: 20 });
    expect(niceScale(1234)).toEqual({ top: 1500, step: 500 });
  });

  it("label minutes by their time and hours with their date where a day begins", () => {
    const at = Date.parse("2026-11-29T08:15:00Z");
    expect(bucketLabel("minute", at)).toBe("08:15");
    expect(bucketLabel("hour", Date.parse("2026-11-29T08:00:00Z"))).toBe("08:00");
    expect(bucketLabel("hour", Date.parse("2026-11-29T08:00:00Z"), true)).toBe("11-29 08:00");
    expect(bucketLabel("hour", Date.parse("2026-11-30T00:00:00Z"))).toBe("11-30 00:00");
  });
});

describe("the rule picker", () => {
  it("offers every rule of the refusal catalogue, each once", () => {
    const offered = ruleFilterGroups.flatMap((group) => group.rules);
    expect(offered.sort()).toEqual(Object.keys(refusals).sort());
  });

  it("offers the families with more than one rule, and second-level families worth picking", () => {
    const patterns = ruleFilterGroups.flatMap((group) => group.patterns.map((pattern) => pattern.value));
    expect(patterns).toEqual(
      expect.arrayContaining(["captcha.*", "limit.*", "limit.send.*", "destination.line_type.*"]),
    );
    expect(patterns).not.toContain("client_ip.*");
    for (const pattern of patterns) expect(isRuleFilter(pattern)).toBe(true);
    expect(isRuleFilter("limit.send.ip.*")).toBe(false);
  });
});
