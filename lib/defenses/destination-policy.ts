import { isRuleName, type RuleName } from "@/lib/http/refusals";
import type { RefusalText } from "@/lib/http/errors";
import { parseE164 } from "@/lib/phone";

/**
 * Which numbers we send codes to at all. SMS pumping rides on destinations that pay the fraudster
 * per message: premium-rate and shared-cost ranges, and countries whose operators share revenue
 * (8x8 Omni Shield's "country share" signal). Line types come from libphonenumber's full metadata.
 */
export type DestinationPolicy = {
  /** ISO 3166 alpha-2 codes; a number outside them is refused. */
  allowedCountries: ReadonlySet<string>;
  /** Refused even when allowed above. */
  deniedCountries: ReadonlySet<string>;
  allowVoip: boolean;
};

/** Line types that can receive an SMS and carry no per-message revenue share. */
const receivableTypes = new Set(["MOBILE", "FIXED_LINE_OR_MOBILE"]);

/**
 * Whether codes go to a line type (libphonenumber's names: `MOBILE`, `VOIP`…), by whatever source
 * classified it — libphonenumber here, 8x8 Number Lookup in ./number-lookup.ts.
 */
export function acceptsLineType(
  type: string | undefined,
  policy: Pick<DestinationPolicy, "allowVoip">,
): boolean {
  return type !== undefined && (receivableTypes.has(type) || (type === "VOIP" && policy.allowVoip));
}

export type ScreeningResult = { ok: true } | { ok: false; rule: RuleName; text: RefusalText };

export function screenDestination(e164: string, policy: DestinationPolicy): ScreeningResult {
  const parsed = parseE164(e164);
  const country = parsed?.country;
  if (!parsed || !country) {
    return {
      ok: false,
      rule: "destination.country_unknown",
      text: { key: "cantSendToKind" },
    };
  }
  if (!policy.allowedCountries.has(country) || policy.deniedCountries.has(country)) {
    return {
      ok: false,
      rule: "destination.country",
      text: { key: "cantSendToCountry", values: { country } },
    };
  }
  const type = parsed.getType();
  if (acceptsLineType(type, policy)) return { ok: true };
  const rule = `destination.line_type.${(type ?? "unknown").toLowerCase()}`;
  return {
    ok: false,
    rule: isRuleName(rule) ? rule : "destination.line_type.unknown",
    text: { key: "notMobile" },
  };
}
