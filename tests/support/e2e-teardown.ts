import { spawnSync } from "node:child_process";

/** Drops the run's Postgres database (playwright.config.ts made it) once every server has stopped. */
export default function teardown() {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) return;
  const name = new URL(url).pathname.slice(1);
  const server = new URL(url);
  server.pathname = "/postgres";
  spawnSync("psql", [server.toString(), "-qc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}
