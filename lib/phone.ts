import {
  AsYouType,
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from "libphonenumber-js/max";
import { countryName, defaultLocale, format, messagesFor, type Locale } from "@/lib/i18n";

/**
 * Phone-number parsing shared by the sign-in form and the server (through the request schemas
 * in lib/api/otp.ts), so both give the same, specific errors ("Too short for Singapore"), and one
 * E.164 normalisation feeds 8x8, the store and every limit: two spellings of a number are one number.
 *
 * Uses libphonenumber's full ("max") metadata, which knows number types (mobile, premium rate…).
 * That metadata is some 100 KB gzip, so the browser never imports this module: the sign-in forms
 * post to server actions (app/sign-in/actions.ts), which parse here.
 */

export type CountryOption = { code: CountryCode; name: string; dialCode: string };

/** Every country libphonenumber knows, sorted by name in `locale`, for the country picker. */
export function listCountries(locale: Locale = defaultLocale): CountryOption[] {
  const collator = new Intl.Collator(locale);
  return getCountries()
    .map((code) => ({ code, name: countryName(code, locale), dialCode: `+${getCountryCallingCode(code)}` }))
    .sort((a, b) => collator.compare(a.name, b.name));
}

/** A number as people write it: `+65 8123 4567` (E.164 in, international format out). */
export function formatPhone(e164: string): string {
  return parseE164(e164)?.formatInternational() ?? e164;
}

const knownCountries = new Set<string>(getCountries());

export function isKnownCountry(value: string): boolean {
  return knownCountries.has(value);
}

export type ParsedPhone = { e164: string; country: CountryCode | undefined };

/** Parses user input into E.164, or explains in words a person understands (in `locale`) what is wrong. */
export function parsePhone(
  input: string,
  country?: string,
  locale: Locale = defaultLocale,
): { ok: true; phone: ParsedPhone } | { ok: false; message: string } {
  const words = messagesFor(locale).phone;
  const text = input.trim();
  if (text === "") return { ok: false, message: words.empty };
  if (!/^[+\d\s().-]+$/.test(text)) {
    return { ok: false, message: words.characters };
  }
  const defaultCountry = country && isKnownCountry(country) ? (country as CountryCode) : undefined;
  const international = text.startsWith("+") || text.startsWith("00");
  const normalised = text.startsWith("00") ? `+${text.slice(2)}` : text;
  if (!international && !defaultCountry) {
    return { ok: false, message: words.needCountry };
  }

  const parsed = parsePhoneNumberFromString(normalised, defaultCountry);
  if (parsed?.isValid()) {
    // Typed in E.164 with no country to go by, this is the very parse `parseE164` would make.
    if (!defaultCountry && normalised === parsed.number) rememberParse(parsed);
    return { ok: true, phone: { e164: parsed.number, country: parsed.country } };
  }

  // Only a number that is not valid is parsed again, for the words that say what is wrong with
  // it (a valid number has a possible length): every send pays one parse, not two.
  const where = () => ({
    where: describeWhere(parsed?.country ?? (international ? undefined : defaultCountry), normalised, locale),
  });
  switch (validatePhoneNumberLength(normalised, defaultCountry)) {
    case "TOO_SHORT":
      return { ok: false, message: format(words.tooShort, where()) };
    case "TOO_LONG":
      return { ok: false, message: format(words.tooLong, where()) };
    case "INVALID_LENGTH":
      return { ok: false, message: format(words.invalidLength, where()) };
    case "INVALID_COUNTRY":
      return { ok: false, message: words.unknownCallingCode };
    case "NOT_A_NUMBER":
      return { ok: false, message: words.notANumber };
  }
  return { ok: false, message: format(words.invalid, where()) };
}

/**
 * libphonenumber's parse of an E.164 number. A send parses its number in the request schema, then
 * describes and screens it: the last few parses are remembered so that it is parsed once.
 */
export function parseE164(e164: string): PhoneNumber | undefined {
  const remembered = recentParses.get(e164);
  if (remembered) return remembered;
  const parsed = parsePhoneNumberFromString(e164);
  if (parsed?.number === e164) rememberParse(parsed);
  return parsed;
}

const recentParses = new Map<string, PhoneNumber>();
/** Enough for the requests in flight; the oldest go first. */
const RECENT_PARSES = 64;

function rememberParse(parsed: PhoneNumber): void {
  if (recentParses.size >= RECENT_PARSES) recentParses.delete(recentParses.keys().next().value!);
  recentParses.set(parsed.number, parsed);
}

/** " for Singapore", or " for +1 numbers" when a calling code is shared by several countries. */
function describeWhere(country: CountryCode | undefined, input: string, locale: Locale): string {
  const words = messagesFor(locale).phone;
  if (country) return format(words.forCountry, { country: countryName(country, locale) });
  if (!input.startsWith("+")) return "";
  const typed = new AsYouType();
  typed.input(input);
  const guessed = typed.getCountry();
  if (guessed) return format(words.forCountry, { country: countryName(guessed, locale) });
  const callingCode = typed.getCallingCode();
  return callingCode ? format(words.forCallingCode, { code: callingCode }) : "";
}

/**
 * The calling codes of every country. E.164 assigns calling codes as a prefix code (none is the
 * start of another), so a number's is the one of its first one to three digits in this set.
 */
const countryCallingCodes = new Set<string>(getCountries().map((code) => getCountryCallingCode(code)));

/**
 * The calling code of an E.164 number (`65` for `+6581234567`) without parsing it (a parse costs
 * some 8 µs, and every recorded refusal with a number needs its code); a non-geographic number
 * (`+800`, `+882`…) is parsed.
 */
export function callingCodeOf(e164: string): string | undefined {
  for (let digits = 1; digits <= 3; digits += 1) {
    const code = e164.slice(1, 1 + digits);
    if (countryCallingCodes.has(code)) return code;
  }
  return parseE164(e164)?.countryCallingCode;
}

/** Shows enough of a number for its owner to recognise it: `+65 ••••  4567`. */
export function maskPhone(e164: string): string {
  const callingCode = callingCodeOf(e164);
  const countryCode = callingCode ? `+${callingCode}` : e164.slice(0, 3);
  const lastFour = e164.slice(-4);
  const hidden = Math.max(0, e164.length - countryCode.length - 4);
  return `${countryCode} ${"•".repeat(hidden)}${lastFour}`;
}

/** Where a code goes, in the units the limits and the fraud budgets count. */
export type Destination = {
  /** E.164. */
  phone: string;
  country: string | null;
  /** E.164 without its last four digits: numbers handed out in blocks share it. */
  prefix: string;
  /**
   * The number range: calling code and the first `rangeDigits` national digits (`+62812`), the
   * unit in which operators allocate numbers and SMS pumping rings buy them.
   */
  range: string;
};

/**
 * Describes an E.164 number (already validated); a range is its calling code and
 * `rangeDigits[country] ?? defaultRangeDigits` national digits.
 */
export function describeDestination(
  e164: string,
  rangeDigits: Record<string, number> = {},
  defaultRangeDigits = 3,
): Destination {
  const parsed = parseE164(e164);
  const callingCode = parsed?.countryCallingCode ?? "";
  const digits = (parsed?.country && rangeDigits[parsed.country]) || defaultRangeDigits;
  const national = parsed?.nationalNumber ?? e164.slice(1 + callingCode.length);
  return {
    phone: e164,
    country: parsed?.country ?? null,
    prefix: e164.slice(0, -4),
    range: `+${callingCode}${national.slice(0, digits)}`,
  };
}
