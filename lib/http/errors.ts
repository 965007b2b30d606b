import "server-only";
import { NextResponse } from "next/server";
import type { ErrorBody as ApiErrorBody } from "@/lib/api/errors";
import {
  countryName,
  defaultLocale,
  format,
  messagesFor,
  type Locale,
  type RefusalMessageKey,
} from "@/lib/i18n";
import { isDatabaseUnavailable, isStoreUnavailable } from "@/lib/store/deadline";
import { refusals, statusByCode, type ErrorCode, type RuleName } from "./refusals";

/**
 * A refusal's sentence by its catalogue key, put into words per language when it is answered; a
 * `country` value is a region code, named in that language.
 */
export type RefusalText = { key: RefusalMessageKey; values?: Record<string, string | number> };

const english = messagesFor(defaultLocale);

export { statusByCode, type ErrorCode } from "./refusals";

/**
 * A refusal or a failure with its catalogue code. Refusals are answers, not faults: nobody reads
 * their stack, and capturing one costs some 15 µs, a tenth of a forged send's whole refusal, so
 * none is captured (an unknown error keeps its own stack and is logged by `errorResponse`).
 */
export class AppError extends Error {
  override name = "AppError";

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: {
      fields?: Record<string, string>;
      retryAfterSeconds?: number;
      allow?: string[];
      /** Which rule refused, for the throttle event; never sent to the client. */
      rule?: RuleName;
      /** The message by its catalogue key, so that the answer is in the request's language. */
      text?: RefusalText;
      /** The field `text` belongs to (its message is the same sentence). */
      field?: string;
    } = {},
  ) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
  }

  get status(): number {
    return statusByCode[this.code];
  }
}

/**
 * The refusal named `rule` in the catalogue (./refusals.ts), with its code and message. `message`
 * replaces the catalogue's where a refusal says more and has put it into words already (a field's
 * validation, in the request's language); `text` does the same by catalogue key (a country's name).
 */
export function refusal(
  rule: RuleName,
  extras: {
    retryAfterSeconds?: number;
    message?: string;
    text?: RefusalText;
    fields?: Record<string, string>;
  } = {},
): AppError {
  const entry = refusals[rule];
  const text = extras.message === undefined ? (extras.text ?? { key: entry.message }) : undefined;
  const message = extras.message ?? wordsFor(text!, defaultLocale);
  const field = "field" in entry ? entry.field : undefined;
  return new AppError(entry.code, message, {
    rule,
    retryAfterSeconds: extras.retryAfterSeconds,
    fields: extras.fields ?? (field ? { [field]: message } : undefined),
    text,
    field: extras.fields ? undefined : field,
  });
}

function wordsFor(text: RefusalText, locale: Locale): string {
  const values = { ...text.values };
  if (typeof values.country === "string") values.country = countryName(values.country, locale);
  return format(messagesFor(locale).refusals[text.key], values);
}

/**
 * What the client reads of an error, in `locale`: its code, message and per-field messages (a
 * message put into words by its thrower, such as a field's validation, is kept as it is).
 */
export function describeError(
  error: AppError,
  locale: Locale = defaultLocale,
): { code: ErrorCode; message: string; fields?: Record<string, string> } {
  const { text, field } = error.details;
  const message = text ? wordsFor(text, locale) : error.message;
  const fields = field ? { [field]: message } : error.details.fields;
  return { code: error.code, message, ...(fields ? { fields } : {}) };
}

/**
 * Any thrown value as an `AppError`: a store or database that does not answer is 503 (fail
 * closed); unknown errors are logged and hidden.
 */
export function toAppError(error: unknown, context: Record<string, unknown> = {}): AppError {
  if (error instanceof AppError) return error;
  if (isStoreUnavailable(error)) return refusal("store_unavailable");
  if (isDatabaseUnavailable(error)) return refusal("database_unavailable");
  console.error("Unhandled error", { ...context, error });
  return new AppError("internal_error", english.refusals.internal, { text: { key: "internal" } });
}

export type ErrorBody = ApiErrorBody<ErrorCode>;

/**
 * Turns any thrown value into the JSON error envelope; a store or database that does not answer is
 * 503 (fail closed); unknown errors are logged and hidden.
 */
export function errorResponse(
  error: unknown,
  context: Record<string, unknown> = {},
  /** The request's language (lib/i18n); English by default. */
  locale: Locale = defaultLocale,
): NextResponse<ErrorBody> {
  const appError = toAppError(error, context);

  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
  };
  const { retryAfterSeconds, allow } = appError.details;
  if (retryAfterSeconds !== undefined)
    headers["Retry-After"] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  if (allow) headers.Allow = allow.join(", ");

  // What `NextResponse.json` sends, built once: it makes a `Response` and then copies it into a
  // `NextResponse` (two responses and a body stream, where one response does).
  const body: ErrorBody = { error: describeError(appError, locale) };
  return new NextResponse<ErrorBody>(JSON.stringify(body), { status: appError.status, headers });
}
