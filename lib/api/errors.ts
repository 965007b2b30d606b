/**
 * The JSON error envelope every endpoint answers with, `{ "error": { "code", "message", "fields"? } }`,
 * as both the server (lib/http/errors.ts) and the browser see it.
 */
export type ApiError<Code extends string = string> = {
  /** Stable and snake_case (`invalid_phone`, `rate_limited`): what code reacts to. */
  code: Code;
  /** What a person reads; never an exception text or a vendor's error id. */
  message: string;
  /** One message per request field that was wrong, keyed by the field's name in the request. */
  fields?: Record<string, string>;
};

export type ErrorBody<Code extends string = string> = { error: ApiError<Code> };
