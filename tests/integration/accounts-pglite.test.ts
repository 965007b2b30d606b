import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { closeDatabase, getDatabase } from "@/lib/db";
import { openDatabase } from "@/lib/db/client";
import { describeAccountsContract } from "../support/accounts-contract";

// The embedded default: no DATABASE_URL, a data directory of this file's own.
const saved = vi.hoisted(async () => {
  const [{ mkdtempSync: makeTemp }, { tmpdir: temp }, { join }] = await Promise.all([
    import("node:fs"),
    import("node:os"),
    import("node:path"),
  ]);
  const previous = { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: process.env.DATA_DIR };
  delete process.env.DATABASE_URL;
  process.env.DATA_DIR = makeTemp(join(temp(), "otp-shield-pglite-"));
  return previous;
});
// PGlite's first start of a data directory is initdb: seconds alone, far more on a busy machine.
beforeAll(() => getDatabase().then(() => undefined), 120_000);
afterAll(async () => {
  await closeDatabase();
  // The worker runs other files next: give them back the run's database.
  Object.assign(process.env, await saved);
});

describeAccountsContract("pglite");

it("refuses a second process on the same data directory with a message that says what to do", async () => {
  const other = mkdtempSync(path.join(tmpdir(), "otp-shield-pglite-lock-"));
  const { writeFileSync, mkdirSync } = await import("node:fs");
  mkdirSync(path.join(other, "pglite"), { recursive: true });
  // PID 1 is always running and is not us.
  writeFileSync(path.join(other, "pglite.lock"), "1");
  await expect(openDatabase({ kind: "pglite", dataDir: other, timeoutMs: 2000 })).rejects.toThrow(
    /in use by process 1.*DATABASE_URL/s,
  );
});
