import "server-only";
import { getEnv } from "@/lib/env";
import { withDeadline } from "@/lib/store/deadline";
import { openDatabase, type Database, type DatabaseHandle } from "./client";

export type { Database, DatabaseHandle } from "./client";
export { isDatabaseUnavailable } from "@/lib/store/deadline";

const globalKey = Symbol.for("otp-shield.database");
type GlobalWithDatabase = typeof globalThis & { [globalKey]?: Promise<DatabaseHandle> };

/**
 * The process-wide database, opened (and migrated) once, even when Next.js loads this module in
 * several bundles. The server opens it at startup (instrumentation.ts), so no request waits for
 * PGlite's first start. A failed open is forgotten, so the next call tries again.
 */
export function getDatabase(): Promise<DatabaseHandle> {
  const holder = globalThis as GlobalWithDatabase;
  if (!holder[globalKey]) {
    const opening = openDatabase(getEnv().database);
    holder[globalKey] = opening;
    opening.catch(() => {
      if (holder[globalKey] === opening) delete holder[globalKey];
    });
  }
  return holder[globalKey];
}

/**
 * Runs `work` against the database within DATABASE_TIMEOUT_MS; any failure or a late answer is a
 * DatabaseUnavailableError, which every route answers 503 (sign-in fails closed, as for the store).
 * Opening has a longer deadline of its own: PGlite's first start (initdb) takes seconds.
 */
export async function queryDatabase<T>(operation: string, work: (db: Database) => Promise<T>): Promise<T> {
  const { timeoutMs } = getEnv().database;
  const handle = await withDeadline(
    `open for ${operation}`,
    getDatabase(),
    Math.max(timeoutMs, 30_000),
    "database",
  );
  return withDeadline(operation, work(handle.db), timeoutMs, "database");
}

/** For tests and shutdown: close the process-wide database. */
export async function closeDatabase(): Promise<void> {
  const holder = globalThis as GlobalWithDatabase;
  const opening = holder[globalKey];
  delete holder[globalKey];
  if (opening) await (await opening.catch(() => null))?.close();
}
