import { config } from "@/lib/config";
import { setTimeout as sleep } from "node:timers/promises";
import type { AlertPayload } from "./kinds";
import { DELIVERY_HEADER, SIGNATURE_HEADER, signPayload } from "./signature";

export type WebhookTarget = { url: string; secret: string };

export type DeliveryTiming = {
  maxAttempts: number;
  /** Each attempt is abandoned after this long. */
  timeoutMs: number;
  /** The wait before the second attempt; it doubles each time, up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A receiver's Retry-After is respected up to this long. */
  retryAfterCapMs: number;
};

export const defaultDeliveryTiming: Omit<DeliveryTiming, "maxAttempts"> = {
  timeoutMs: config.alerts.attemptTimeout.value,
  backoffBaseMs: config.alerts.backoffBase.value,
  backoffMaxMs: config.alerts.backoffMax.value,
  retryAfterCapMs: config.alerts.retryAfterCap.value,
};

type Attempt =
  | { ok: true; httpStatus: number }
  | { ok: false; retry: boolean; httpStatus: number | null; error: string; retryAfterMs?: number };

export type DeliveryResult = {
  delivered: boolean;
  attempts: number;
  lastHttpStatus: number | null;
  lastError: string | null;
};

/**
 * Posts one alert until it is accepted (any 2xx), a retry cannot help, or `maxAttempts` ran out.
 * Retried: network errors, timeouts, 5xx and 429 (after its Retry-After, capped); not retried:
 * other answers, including redirects, which are not followed (the signature is for this URL).
 * Each attempt is signed afresh, so a late retry is still inside the receiver's tolerance; the
 * delivery id stays the same, so a receiver can drop an attempt it already processed.
 * `signal` (the server stopping) aborts the attempt under way and every wait.
 *
 * Written by hand: no retry library is a dependency, and the policy is this loop.
 */
export async function deliverWithRetries(
  target: WebhookTarget,
  payload: AlertPayload,
  timing: DeliveryTiming,
  {
    signal,
    onRetry,
    random = Math.random,
  }: { signal?: AbortSignal; onRetry?: (progress: DeliveryResult) => void; random?: () => number } = {},
): Promise<DeliveryResult> {
  const rawBody = JSON.stringify(payload);
  let result: DeliveryResult = { delivered: false, attempts: 0, lastHttpStatus: null, lastError: null };
  while (result.attempts < timing.maxAttempts) {
    const attempt = await attemptOnce(target, payload.id, rawBody, timing.timeoutMs, signal);
    result = {
      delivered: attempt.ok,
      attempts: result.attempts + 1,
      lastHttpStatus: attempt.httpStatus,
      lastError: attempt.ok ? null : attempt.error,
    };
    if (attempt.ok || !attempt.retry || result.attempts >= timing.maxAttempts || signal?.aborted) break;
    onRetry?.(result);
    try {
      await sleep(retryDelayMs(result.attempts, attempt.retryAfterMs, timing, random), undefined, { signal });
    } catch {
      break; // the server is stopping: the last error stands
    }
  }
  return result;
}

/**
 * Exponential backoff with "equal jitter" (half the delay fixed, half random), so that many
 * instances retrying after one outage do not arrive together:
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 * A Retry-After asks for at least that long.
 */
export function retryDelayMs(
  attemptsMade: number,
  retryAfterMs: number | undefined,
  timing: DeliveryTiming,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(timing.backoffMaxMs, timing.backoffBaseMs * 2 ** (attemptsMade - 1));
  const backoff = exponential / 2 + (random() * exponential) / 2;
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, timing.retryAfterCapMs));
}

async function attemptOnce(
  target: WebhookTarget,
  id: string,
  rawBody: string,
  timeoutMs: number,
  stopping: AbortSignal | undefined,
): Promise<Attempt> {
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "otp-shield-alerts/1",
        [DELIVERY_HEADER]: id,
        [SIGNATURE_HEADER]: signPayload(target.secret, rawBody, Math.floor(Date.now() / 1000)),
      },
      body: rawBody,
      redirect: "manual",
      signal: stopping ? AbortSignal.any([timeout, stopping]) : timeout,
    });
  } catch (error) {
    if (stopping?.aborted)
      return { ok: false, retry: false, httpStatus: null, error: "the server stopped first" };
    if (timeout.aborted) {
      return { ok: false, retry: true, httpStatus: null, error: `no answer within ${timeoutMs / 1000} s` };
    }
    return { ok: false, retry: true, httpStatus: null, error: describeNetworkError(error) };
  }
  // The body is not read: nothing a receiver says is stored or logged.
  await response.body?.cancel().catch(() => undefined);
  const status = response.status;
  if (status >= 200 && status < 300) return { ok: true, httpStatus: status };
  if (status === 429 || status >= 500) {
    return {
      ok: false,
      retry: true,
      httpStatus: status,
      error: `the receiver answered ${status}${status === 429 ? " (too many requests)" : ""}`,
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
    };
  }
  const redirect = status >= 300 && status < 400 ? " (a redirect: webhooks do not follow redirects)" : "";
  return { ok: false, retry: false, httpStatus: status, error: `the receiver answered ${status}${redirect}` };
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3); undefined when absent or garbled. */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Undici's "fetch failed" carries the reason in `cause`; say it in words an operator can act on. */
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.code) return `could not reach the receiver (${cause.code})`;
  return `could not reach the receiver (${cause?.message ?? (error instanceof Error ? error.message : "unknown error")})`;
}
