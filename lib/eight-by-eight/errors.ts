/**
 * What can go wrong when calling 8x8, in the app's terms. Callers decide what each means to a user;
 * the vendor's `errorId` is kept for logs only and never reaches a response.
 *
 * HTTP statuses and codes: https://developer.8x8.com/connect/docs/api-error-codes
 */
export type EightByEightErrorKind =
  /** 401, code 1200: the API key is wrong. An operator problem, never the user's. */
  | "unauthorized"
  /**
   * 8x8 refuses our account rather than this request: a 403 other than 1400 (1201 "Access
   * forbidden": IP allow-list, product not enabled), 400/1001 (a subaccount that is not ours),
   * 410 (API version no longer supported) or 426 (TLS below 1.3). An operator problem.
   */
  | "misconfigured"
  /** 400, code 1002: 8x8 could not read the destination. */
  | "invalid_number"
  /** Any other 400: our request broke 8x8's contract (a bug, or a setting out of 8x8's range). */
  | "invalid_request"
  /** 403 with code 1400 ("Resending interval violation"): a re-send came too soon. */
  | "resend_too_soon"
  /** 429: 8x8's platform or client-IP rate limit. */
  | "rate_limited"
  /** 404, code 1404: unknown or purged session. */
  | "not_found"
  /** 5xx, timeout, network failure or a reply that is not the documented JSON. */
  | "unavailable";

const operatorKinds: ReadonlySet<EightByEightErrorKind> = new Set([
  "unauthorized",
  "misconfigured",
  "invalid_request",
]);

/**
 * True when only the operator can fix the failure (key, account, allow-list, TLS, a request our
 * code builds wrongly). These must be logged loudly and answered as an outage: a user can do
 * nothing about them, and answering "wait and retry" would hide a broken deployment.
 */
export function isOperatorError(kind: EightByEightErrorKind): boolean {
  return operatorKinds.has(kind);
}

// The production build holds several copies of this module (one per route bundle, one in the
// instrumentation bundle), so `instanceof` is answered by a brand every copy shares.
const brand = Symbol.for("otp-shield.eight-by-eight-error");

export class EightByEightError extends Error {
  override name = "EightByEightError";
  readonly [brand] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && brand in value;
  }

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
