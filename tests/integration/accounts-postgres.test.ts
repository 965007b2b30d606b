import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db/client";
import { closeDatabase } from "@/lib/db";
import { isDatabaseUnavailable } from "@/lib/store/deadline";
import { describeAccountsContract } from "../support/accounts-contract";
import { Client } from "pg";

/**
 * The accounts data layer on the real PostgreSQL server (the run's database, made by
 * tests/support/database-global-setup.ts), plus what only a server has: instances that start
 * together and a server that is down. Like the Redis suites, it runs where a server answers
 * (always in CI: .ci/run starts one).
 */
const serverUrl = process.env.DATABASE_URL ?? "";
afterAll(() => closeDatabase());

describe.runIf(serverUrl)("Postgres", () => {
  describeAccountsContract("postgres");

  it("applies migrations once when three instances start together on a fresh database", async () => {
    const name = `otp_shield_migrate_${Date.now().toString(36)}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    try {
      const handles = await Promise.all(
        [1, 2, 3].map(() => openDatabase({ kind: "postgres", url: url.toString(), timeoutMs: 5000 })),
      );
      const check = new Client({ connectionString: url.toString() });
      await check.connect();
      const { rows } = await check.query("select count(*)::int as count from drizzle.__drizzle_migrations");
      await check.end();
      expect(rows[0].count).toBeGreaterThan(0);
      await Promise.all(handles.map((handle) => handle.close()));
      // A fourth start finds nothing to do.
      const later = await openDatabase({ kind: "postgres", url: url.toString(), timeoutMs: 5000 });
      await later.close();
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it("fails closed within its deadline when no server answers", async () => {
    const started = Date.now();
    const failure = await openDatabase({
      kind: "postgres",
      url: "postgres://postgres@127.0.0.1:1/none",
      timeoutMs: 300,
    }).catch((error: unknown) => error);
    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
