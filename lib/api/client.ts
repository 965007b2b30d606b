import type { ApiError, ErrorBody } from "./errors";

/**
 * The browser's side of the JSON API: every answer becomes data or the error envelope, so a form
 * only ever handles those two (a network failure or a non-JSON reply included).
 */
export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; error: ApiError; retryAfterSeconds?: number };

/** The two failures no server answer describes; a page in another language puts its own words on them ({@link inWords}). */
const unreachable: ApiError = {
  code: "unavailable",
  message: "We couldn't reach the server. Check your connection and try again.",
};
const unreadable: ApiError = {
  code: "internal_error",
  message: "Something went wrong on our side. Please try again.",
};

/** Calls a JSON endpoint of this app; `body` is sent as JSON. A 204 gives `data: null`. */
export async function fetchJson<T>(
  url: string,
  { method = "GET", body }: { method?: "GET" | "POST" | "PATCH" | "DELETE"; body?: unknown } = {},
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      cache: "no-store",
      ...(body === undefined
        ? {}
        : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    });
  } catch {
    return { ok: false, status: 0, error: unreachable };
  }
  const json = (await response.json().catch(() => null)) as unknown;
  if (response.ok) return { ok: true, status: response.status, data: json as T };
  const retryAfter = Number(response.headers.get("retry-after"));
  return {
    ok: false,
    status: response.status,
    error: (json as Partial<ErrorBody> | null)?.error ?? unreadable,
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  };
}

/** `result` with the two failures of the browser's own (no answer, an unreadable one) in `words`. */
export function inWords<R extends ApiResult<unknown>>(
  result: R,
  words: { unreachable: string; unreadable: string },
): R {
  if (result.ok) return result;
  if (result.error === unreachable)
    return { ...result, error: { ...unreachable, message: words.unreachable } };
  if (result.error === unreadable) return { ...result, error: { ...unreadable, message: words.unreadable } };
  return result;
}

export function postJson<T>(url: string, body: unknown): Promise<ApiResult<T>> {
  return fetchJson<T>(url, { method: "POST", body });
}
