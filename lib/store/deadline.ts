/**
 * One outcome for every way shared state can fail — refused connection, timeout, error reply —
 * within a bounded time, for the store and the database alike. Callers decide what it means:
 * anything that sends an SMS or signs someone in fails closed.
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

const databaseUnavailableBrand = Symbol.for("otp-shield.database-unavailable");

/** The database (PGlite or Postgres) did not answer in time or failed: branded like the store's. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  readonly [databaseUnavailableBrand] = true;

  constructor(
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`The database did not answer ${operation}`, options);
  }
}

export function isDatabaseUnavailable(error: unknown): error is DatabaseUnavailableError {
  return typeof error === "object" && error !== null && databaseUnavailableBrand in error;
}

type Unavailable = StoreUnavailableError | DatabaseUnavailableError;
const isUnavailable = (error: unknown): error is Unavailable =>
  isStoreUnavailable(error) || isDatabaseUnavailable(error);

/**
 * Resolves like `promise`, or rejects with StoreUnavailableError (DatabaseUnavailableError for
 * `part: "database"`) after `timeoutMs` or on any failure.
 */
export function withDeadline<T>(
  operation: string,
  promise: Promise<T>,
  timeoutMs: number,
  part: "store" | "database" = "store",
): Promise<T> {
  const fail = (cause?: unknown): Unavailable =>
    part === "store"
      ? new StoreUnavailableError(operation, { cause })
      : new DatabaseUnavailableError(operation, { cause });
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(fail()), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (cause: unknown) => {
        clearTimeout(timer);
        reject(isUnavailable(cause) ? cause : fail(cause));
      },
    );
  });
}
