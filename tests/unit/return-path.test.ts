import { describe, expect, it } from "vitest";
import {
  confirmPasskeyPathFromHeaders,
  REQUESTED_PATH_HEADER,
  safeReturnPath,
  signInPathFrom,
  signInPathFromHeaders,
} from "@/lib/sign-in/return-path";

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
    "/.//evil.example",
    "/a/..//evil.example",
    "/%2e%2e//evil.example/x",
    "/./\\evil.example",
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

describe("the paths a signed-out visitor is sent to (proxy.ts names the page asked for)", () => {
  const asked = (path: string | null) => new Headers(path === null ? {} : { [REQUESTED_PATH_HEADER]: path });

  it("comes back to the page asked for, query and all", () => {
    expect(signInPathFromHeaders(asked("/admin/events?rule=captcha"))).toBe(
      "/sign-in?next=%2Fadmin%2Fevents%3Frule%3Dcaptcha",
    );
    expect(confirmPasskeyPathFromHeaders(asked("/admin/rules"))).toBe(
      "/account/confirm-passkey?next=%2Fadmin%2Frules",
    );
  });

  it("never carries an address off the site, and asks nothing extra without one", () => {
    for (const path of [null, "//evil.example/", "https://evil.example/admin", "/account"]) {
      expect(signInPathFromHeaders(asked(path))).toBe("/sign-in");
      expect(confirmPasskeyPathFromHeaders(asked(path))).toBe("/account/confirm-passkey");
    }
  });
});
