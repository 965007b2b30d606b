/** The API's error envelope, as the browser receives it. */
export type ApiError = { code: string; message: string; fields?: Record<string, string> };

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; error: ApiError; retryAfterSeconds?: number };

/** POSTs JSON and reads the JSON answer; a network failure becomes an `unavailable` error. */
export async function postJson<T>(url: string, body: unknown): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    return {
      ok: false,
      status: 0,
      error: {
        code: "unavailable",
        message: "We couldn't reach the server. Check your connection and try again.",
      },
    };
  }
  const json = (await response.json().catch(() => null)) as unknown;
  if (response.ok) return { ok: true, status: response.status, data: json as T };
  const error = (json as { error?: ApiError } | null)?.error ?? {
    code: "internal_error",
    message: "Something went wrong on our side. Please try again.",
  };
  const retryAfter = Number(response.headers.get("retry-after"));
  return {
    ok: false,
    status: response.status,
    error,
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  };
}

export type SentCode = { status: "sent"; expiresAt: string; resendAfter: string };
