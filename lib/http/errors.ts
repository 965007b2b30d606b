import "server-only";
import { NextResponse } from "next/server";
import type { ErrorBody as ApiErrorBody } from "@/lib/api/errors";
import { isDatabaseUnavailable, isStoreUnavailable } from "@/lib/store/deadline";
import { refusals, statusByCode, type ErrorCode, type RuleName } from "./refusals";

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
 * The refusal named `rule` in the catalogue (./refusals.ts), with its code and message; `message`
 * replaces the catalogue's where a refusal says more (a country's name, a field's validation).
 */
export function refusal(
  rule: RuleName,
  extras: { retryAfterSeconds?: number; message?: string; fields?: Record<string, string> } = {},
): AppError {
  const entry = refusals[rule];
  const message = extras.message ?? entry.message;
  const field = "field" in entry ? entry.field : undefined;
  return new AppError(entry.code, message, {
    rule,
    retryAfterSeconds: extras.retryAfterSeconds,
    fields: extras.fields ?? (field ? { [field]: message } : undefined),
  });
}

export type ErrorBody = ApiErrorBody<ErrorCode>;

/**
 * Turns any thrown value into the JSON error envelope; a store or database that does not answer is
 * 503 (fail closed); unknown errors are logged and hidden.
 */
export function errorResponse(
  error: unknown,
  context: Record<string, unknown> = {},
): NextResponse<ErrorBody> {
  const appError =
    error instanceof AppError
      ? error
      : isStoreUnavailable(error)
        ? refusal("store_unavailable")
        : isDatabaseUnavailable(error)
          ? refusal("database_unavailable")
          : (console.error("Unhandled error", { ...context, error }),
            new AppError("internal_error", "Something went wrong on our side. Please try again."));

  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
  };
  const { fields, retryAfterSeconds, allow } = appError.details;
  if (retryAfterSeconds !== undefined)
    headers["Retry-After"] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  if (allow) headers.Allow = allow.join(", ");

  // What `NextResponse.json` sends, built once: it makes a `Response` and then copies it into a
  // `NextResponse` (two responses and a body stream, where one response does).
  const body: ErrorBody = {
    error: { code: appError.code, message: appError.message, ...(fields ? { fields } : {}) },
  };
  return new NextResponse<ErrorBody>(JSON.stringify(body), { status: appError.status, headers });
}
