import { z } from "zod";
import { isKnownCountry, parsePhone } from "@/lib/phone";

/**
 * `POST /api/otp/send` and `POST /api/otp/verify`: the request schemas the route handlers parse
 * with and the sign-in forms validate with (so both give the same, specific errors), and the
 * success bodies. Errors are the envelope in ./errors.ts.
 */

const phoneFields = {
  phone: z.string({ error: "Enter your phone number." }).max(40, "That is too long for a phone number."),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, "Use a two-letter country code such as SG.")
    .refine(isKnownCountry, "Unknown country.")
    .optional(),
};

function refinePhone(value: { phone: string; country?: string }, ctx: z.RefinementCtx) {
  const result = parsePhone(value.phone, value.country);
  if (!result.ok) ctx.addIssue({ code: "custom", path: ["phone"], message: result.message });
}

/** The phone form's fields, validated exactly as the server validates them. */
export const sendCodeSchema = z.object(phoneFields).strict().superRefine(refinePhone);
export type SendCodeInput = z.infer<typeof sendCodeSchema>;

/**
 * The body of `POST /api/otp/send`: the form's fields, the CAPTCHA token, and `website`, a
 * honeypot field that people never see and bots fill in.
 */
export const sendRequestSchema = z
  .object({
    ...phoneFields,
    captcha: z.string().max(20_000, "The verification token is too long.").optional(),
    website: z.string().max(200).optional(),
  })
  .strict()
  .transform((value, ctx) => {
    // Parsed once: the number in E.164 is what the server goes on with.
    const result = parsePhone(value.phone, value.country);
    if (result.ok) return { ...value, e164: result.phone.e164 };
    ctx.addIssue({ code: "custom", path: ["phone"], message: result.message });
    return z.NEVER;
  });
export type SendRequest = z.output<typeof sendRequestSchema>;

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
export function verifyRequestSchemaFor(codeLength: number) {
  return z
    .object({
      code: z
        .string({ error: "Enter the code from the SMS." })
        .trim()
        .regex(/^\d+$/, "The code is digits only.")
        .length(codeLength, `The code has ${codeLength} digits.`),
    })
    .strict();
}
export type VerifyRequest = z.infer<ReturnType<typeof verifyRequestSchemaFor>>;

/** 200 from `POST /api/otp/verify`; the session cookie comes with it. */
export type VerifyCodeResponse = { status: "verified"; isNewUser: boolean };
