import { Client } from "pg";

/**
 * Vitest's global setup: the suites run on the real PostgreSQL server when one answers
 * (127.0.0.1:5432 here and in CI, or TEST_POSTGRES_URL), each run in a database of its own that is
 * dropped afterwards. Without one, every worker falls back to an embedded PGlite in a temporary
 * directory (tests/support/database-setup.ts). tests/integration/accounts-contract.test.ts runs
 * the data layer on both drivers either way.
 */
const serverUrl = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export default async function setup() {
  if (process.env.DATABASE_URL) return;
  const name = `otp_shield_test_${Date.now().toString(36)}_${process.pid}`;
  const admin = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    // As for Redis: where CI runs, the real server is part of the test, not an option.
    if (process.env.CI) throw new Error(`CI needs PostgreSQL at ${serverUrl}: ${(error as Error).message}`);
    console.warn("[vitest] no PostgreSQL server answered: the suites use embedded PGlite");
    await admin.end().catch(() => {});
    return;
  }
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();

  return async () => {
    const cleanup = new Client({ connectionString: serverUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  };
}
