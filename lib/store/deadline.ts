/**
 * One outcome for every way shared state can fail — refused connection, timeout, error reply —
 * within a bounded time. Callers decide what it means: anything that sends an SMS fails closed.
 *
 * Why a deadline of our own: @upstash/ratelimit's `timeout` resolves `success: true` (it fails
 * open), and Redis clients retry for seconds before giving up.
 */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";

  constructor(
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`The store did not answer ${operation}`, options);
  }
}

/** Resolves like `promise`, or rejects with StoreUnavailableError after `timeoutMs` or on any failure. */
export function withDeadline<T>(operation: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreUnavailableError(operation)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (cause: unknown) => {
        clearTimeout(timer);
        reject(
          cause instanceof StoreUnavailableError ? cause : new StoreUnavailableError(operation, { cause }),
        );
      },
    );
  });
}
