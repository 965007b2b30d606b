import { describe, expect, it } from "vitest";
import { safeReturnPath, signInPathFrom } from "@/lib/sign-in/return-path";

describe("safeReturnPath", () => {
  it("keeps a path on this site, with its query and fragment", () => {
    expect(safeReturnPath("/admin/events?rule=captcha#top")).toBe("/admin/events?rule=captcha#top");
    expect(safeReturnPath("/")).toBe("/");
  });

  it.each([
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
    "/sign-in",
    "/api/otp/send",
    `/${"a".repeat(600)}`,
  ])("sends %j to the account page instead", (value) => {
    expect(safeReturnPath(value)).toBe("/account");
  });

  it("ignores what is not a string", () => {
    expect(safeReturnPath(undefined)).toBe("/account");
    expect(safeReturnPath(["/admin"])).toBe("/account");
  });
});

describe("signInPathFrom", () => {
  it("asks to come back to the page, except from home and sign-in", () => {
    expect(signInPathFrom("/admin/events")).toBe("/sign-in?next=%2Fadmin%2Fevents");
    expect(signInPathFrom("/")).toBe("/sign-in");
    expect(signInPathFrom("/sign-in")).toBe("/sign-in");
  });
});
