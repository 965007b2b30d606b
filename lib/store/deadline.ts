/**
 * One outcome for every way shared state can fail — refused connection, timeout, error reply —
 * within a bounded time. Callers decide what it means: anything that sends an SMS fails closed.
 *
 * Why a deadline of our own: @upstash/ratelimit's `timeout` resolves `success: true` (it fails
 * open), and Redis clients retry for seconds before giving up.
 */
const storeUnavailableBrand = Symbol.for("otp-shield.store-unavailable");

export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  /** The brand `isStoreUnavailable` checks: shared by every copy of this module. */
  readonly [storeUnavailableBrand] = true;

  constructor(
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`The store did not answer ${operation}`, options);
  }
}

/**
 * Whether `error` is a StoreUnavailableError, from this copy of the module or any other.
 *
 * Why not `instanceof`: a production build bundles `lib/` once per route and once more for the
 * instrumentation hook, and the process-wide backend (built wherever it is first used) throws the
 * class of its own copy — `instanceof` against another copy is false, and a store outage would be
 * answered 500 instead of 503. A `Symbol.for` key is the same in every copy.
 */
export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return typeof error === "object" && error !== null && storeUnavailableBrand in error;
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
        reject(isStoreUnavailable(cause) ? cause : new StoreUnavailableError(operation, { cause }));
      },
    );
  });
}
