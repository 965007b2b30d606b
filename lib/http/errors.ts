import "server-only";
import { NextResponse } from "next/server";
import type { ErrorBody as ApiErrorBody } from "@/lib/api/errors";
import { isStoreUnavailable } from "@/lib/store/deadline";

/**
 * The error codes of the public HTTP API. Each maps to one HTTP status; the message is what a
 * person reads, so it never carries an exception text, an 8x8 `errorId` or a code.
 */
const statusByCode = {
  bad_request: 400,
  invalid_phone: 400,
  code_invalid: 400,
  no_pending_verification: 400,
  unauthorized: 401,
  forbidden: 403,
  captcha_failed: 403,
  destination_blocked: 403,
  not_found: 404,
  method_not_allowed: 405,
  code_superseded: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof statusByCode;

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
      rule?: string;
    } = {},
  ) {
    super(message);
  }

  get status(): number {
    return statusByCode[this.code];
  }
}

export type ErrorBody = ApiErrorBody<ErrorCode>;

/**
 * Turns any thrown value into the JSON error envelope; a store that does not answer is 503 (fail
 * closed); unknown errors are logged and hidden.
 */
export function errorResponse(
  error: unknown,
  context: Record<string, unknown> = {},
): NextResponse<ErrorBody> {
  const appError =
    error instanceof AppError
      ? error
      : isStoreUnavailable(error)
        ? new AppError(
            "unavailable",
            "This service is not available right now. Please try again in a minute.",
            {
              rule: "store_unavailable",
            },
          )
        : (console.error("Unhandled error", { ...context, error }),
          new AppError("internal_error", "Something went wrong on our side. Please try again."));

  const headers = new Headers({ "Cache-Control": "no-store" });
  const { fields, retryAfterSeconds, allow } = appError.details;
  if (retryAfterSeconds !== undefined)
    headers.set("Retry-After", String(Math.max(1, Math.ceil(retryAfterSeconds))));
  if (allow) headers.set("Allow", allow.join(", "));

  return NextResponse.json(
    { error: { code: appError.code, message: appError.message, ...(fields ? { fields } : {}) } },
    { status: appError.status, headers },
  );
}
