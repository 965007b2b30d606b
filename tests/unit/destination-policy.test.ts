import { describe, expect, it } from "vitest";
import { defaultAllowedCountries } from "@/lib/config";
import { screenDestination, type DestinationPolicy } from "@/lib/defenses/destination-policy";

const policy = (overrides: Partial<DestinationPolicy> = {}): DestinationPolicy => ({
  allowedCountries: new Set(defaultAllowedCountries),
  deniedCountries: new Set(),
  allowVoip: false,
  ...overrides,
});

describe("destination screening", () => {
  it("accepts mobile numbers, and US numbers that may be mobile, in allowed countries", () => {
    expect(screenDestination("+6581234567", policy())).toEqual({ ok: true });
    expect(screenDestination("+14155550123", policy())).toEqual({ ok: true });
    expect(screenDestination("+447400123456", policy())).toEqual({ ok: true });
  });

  it("names the line type or country that refused", () => {
    expect(screenDestination("+19005550123", policy())).toMatchObject({
      ok: false,
      rule: "destination.line_type.premium_rate",
    });
    expect(screenDestination("+43810123456", policy())).toMatchObject({
      ok: false,
      rule: "destination.line_type.shared_cost",
    });
    expect(screenDestination("+447012345678", policy())).toMatchObject({
      ok: false,
      rule: "destination.line_type.personal_number",
    });
    expect(screenDestination("+6561234567", policy())).toMatchObject({
      ok: false,
      rule: "destination.line_type.fixed_line",
    });
    expect(screenDestination("+2348031234567", policy())).toMatchObject({
      ok: false,
      rule: "destination.country",
    });
  });

  it("lets VoIP through only when allowed, and the denylist win over the allowlist", () => {
    const voip = "+445612345678";
    expect(screenDestination(voip, policy())).toMatchObject({
      ok: false,
      rule: "destination.line_type.voip",
    });
    expect(screenDestination(voip, policy({ allowVoip: true }))).toEqual({ ok: true });
    expect(screenDestination("+6581234567", policy({ deniedCountries: new Set(["SG"]) }))).toMatchObject({
      ok: false,
      text: { key: "cantSendToCountry", values: { country: "SG" } },
    });
  });
});
