import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// Without a PostgreSQL server (see database-global-setup.ts), each worker process gets an embedded
// PGlite of its own: PGlite serves one process per directory.
if (!process.env.DATABASE_URL && !process.env.DATA_DIR) {
  process.env.DATA_DIR = mkdtempSync(path.join(tmpdir(), "otp-shield-vitest-"));
}
