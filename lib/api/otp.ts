import { z } from "zod";
import { defaultLocale, format, messagesFor, type Locale } from "@/lib/i18n";
import { isKnownCountry, parsePhone } from "@/lib/phone";

/**
 * `POST /api/otp/send` and `POST /api/otp/verify`: the request schemas the route handlers and the
 * sign-in page's server actions parse with (so both give the same, specific errors; a send's
 * number is parsed by the send policy, with `parsePhone` as here), and the success bodies. Errors
 * are the envelope in ./errors.ts.
 */

/** The phone number fields, with messages in `locale`. */
function phoneFieldsFor(locale: Locale) {
  const words = messagesFor(locale).phone;
  return {
    phone: z.string({ error: words.empty }).max(40, words.tooLongInput),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, words.countryFormat)
      .refine(isKnownCountry, words.unknownCountry)
      .optional(),
  };
}

/**
 * The body of `POST /api/otp/send` (and of the sign-in page's send action): the phone form's
 * fields, the CAPTCHA token, and `website`, a honeypot field that people never see and bots fill
 * in. Its messages are in `locale`, the request's language. The number is a string here: the send
 * policy parses it (`parsePhone`) once the CAPTCHA has been screened, since a parse costs more than
 * refusing a forged CAPTCHA (lib/defenses/send-policy.ts).
 */
export function sendRequestShapeFor(locale: Locale) {
  return once(sendShapes, locale, () => buildSendRequestShape(locale));
}

function buildSendRequestShape(locale: Locale) {
  return z
    .object({
      ...phoneFieldsFor(locale),
      captcha: z.string().max(20_000, messagesFor(locale).phone.captchaTooLong).optional(),
      website: z.string().max(200).optional(),
    })
    .strict();
}
const sendShapes = new Map<string, ReturnType<typeof buildSendRequestShape>>();
export type SendRequest = z.output<ReturnType<typeof sendRequestShapeFor>>;

/** The send body with its number parsed, in E.164 (`e164`): the fields as the sign-in page checks them. */
export function sendRequestSchemaFor(locale: Locale) {
  return once(sendSchemas, locale, () => buildSendRequestSchema(locale));
}

function buildSendRequestSchema(locale: Locale) {
  return sendRequestShapeFor(locale).transform((value, ctx) => {
    const result = parsePhone(value.phone, value.country, locale);
    if (result.ok) return { ...value, e164: result.phone.e164 };
    ctx.addIssue({ code: "custom", path: ["phone"], message: result.message });
    return z.NEVER;
  });
}
const sendSchemas = new Map<string, ReturnType<typeof buildSendRequestSchema>>();
export const sendRequestSchema = sendRequestSchemaFor(defaultLocale);
/** What a person types: the number and, optionally, the country it is in. */
export type SendCodeInput = { phone: string; country?: string };

/** 202 from `POST /api/otp/send`: when the code stops working, and when a resend is accepted. */
export type SendCodeResponse = {
  status: "sent";
  /** ISO 8601. */
  expiresAt: string;
  /** ISO 8601; a resend before this is refused with 429. */
  resendAfter: string;
};

/**
 * The body of `POST /api/otp/verify`: the code the user types, digits only, exactly the
 * configured length (`OTP_CODE_LENGTH`, which the page passes to the form).
 */
export function verifyRequestSchemaFor(codeLength: number, locale: Locale = defaultLocale) {
  return once(verifySchemas, `${codeLength}:${locale}`, () => buildVerifyRequestSchema(codeLength, locale));
}

function buildVerifyRequestSchema(codeLength: number, locale: Locale) {
  const words = messagesFor(locale).phone;
  return z
    .object({
      code: z
        .string({ error: words.codeEmpty })
        .trim()
        .regex(/^\d+$/, words.codeDigits)
        .length(codeLength, format(words.codeLength, { length: codeLength })),
    })
    .strict();
}
const verifySchemas = new Map<string, ReturnType<typeof buildVerifyRequestSchema>>();
export type VerifyRequest = z.infer<ReturnType<typeof verifyRequestSchemaFor>>;

/**
 * The schema for `key`, built the first time it is asked for: routes ask on every request, and
 * building a zod schema costs more than the rest of a refused send (measured by `npm run bench`).
 * One per language and code length, so the maps stay a few entries long.
 */
function once<Schema>(built: Map<string, Schema>, key: string, build: () => Schema): Schema {
  let schema = built.get(key);
  if (!schema) built.set(key, (schema = build()));
  return schema;
}

/** 200 from `POST /api/otp/verify`; the session cookie comes with it. */
export type VerifyCodeResponse = { status: "verified"; isNewUser: boolean };
