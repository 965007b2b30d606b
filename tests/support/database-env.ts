import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Where an app instance started by a test keeps its accounts: the run's Postgres database
 * (E2E_DATABASE_URL, made by playwright.config.ts when a server answers), or else an embedded
 * PGlite in a fresh temporary directory of its own (PGlite serves one process per directory).
 */
export function instanceDatabaseEnv(
  /** The instance's own settings: one that names its database keeps it. */
  env: Record<string, string | undefined> = {},
): Record<string, string> {
  if (env.DATABASE_URL || env.DATA_DIR) return {};
  const shared = process.env.E2E_DATABASE_URL;
  return shared ? { DATABASE_URL: shared } : { DATA_DIR: freshDataDir() };
}

export function freshDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), "otp-shield-e2e-"));
}

/** A fresh database on the local Postgres server for this run, or "" when none answers. */
export function createRunDatabase(serverUrl: string, name: string): string {
  const created = spawnSync("psql", [serverUrl, "-qc", `CREATE DATABASE ${name}`], { encoding: "utf8" });
  if (created.status !== 0) return "";
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
