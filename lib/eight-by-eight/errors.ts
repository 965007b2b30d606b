/**
 * What can go wrong when calling 8x8, in the app's terms. Callers decide what each means to a user;
 * the vendor's `errorId` is kept for logs only and never reaches a response.
 */
export type EightByEightErrorKind =
  /** 401, code 1200: the API key is wrong. An operator problem, never the user's. */
  | "unauthorized"
  /** 400, code 1002: 8x8 could not read the destination. */
  | "invalid_number"
  /** Any other 400: our request broke 8x8's contract. */
  | "invalid_request"
  /** 403 from `resendingInterval`: a re-send came too soon. */
  | "resend_too_soon"
  /** 429: 8x8's platform or client-IP rate limit. */
  | "rate_limited"
  /** 404, code 1404: unknown or purged session. */
  | "not_found"
  /** 5xx, timeout, network failure or a reply that is not the documented JSON. */
  | "unavailable";

export class EightByEightError extends Error {
  override name = "EightByEightError";

  constructor(
    readonly kind: EightByEightErrorKind,
    message: string,
    readonly details: {
      httpStatus?: number;
      vendorCode?: number;
      errorId?: string;
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
  }
}
