import { describe, expect, it, vi } from "vitest";

describe("EightByEightError", () => {
  it("is recognised by another copy of its module, as in the production build's bundles", async () => {
    const first = await import("@/lib/eight-by-eight/errors");
    vi.resetModules();
    const second = await import("@/lib/eight-by-eight/errors");
    expect(second.EightByEightError).not.toBe(first.EightByEightError);

    const error = new first.EightByEightError("misconfigured", "8x8 refused this account's request");
    expect(error instanceof second.EightByEightError).toBe(true);
    expect(new Error("plain") instanceof second.EightByEightError).toBe(false);
    expect({ kind: "misconfigured" } instanceof second.EightByEightError).toBe(false);
  });

  it("names the operator errors: key, account, our own request; never the user's or 8x8's outage", async () => {
    const { isOperatorError } = await import("@/lib/eight-by-eight/errors");
    const kinds = [
      "unauthorized",
      "misconfigured",
      "invalid_request",
      "invalid_number",
      "resend_too_soon",
      "rate_limited",
      "not_found",
      "unavailable",
    ] as const;
    expect(kinds.filter(isOperatorError)).toEqual(["unauthorized", "misconfigured", "invalid_request"]);
  });
});
