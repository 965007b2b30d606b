/**
 * `npm run db:migrate`: applies the committed migrations to the configured database (DATABASE_URL,
 * or the embedded one in DATA_DIR) and exits. The server also applies them when it starts, under
 * the same lock, so this is for deploy pipelines that migrate before they roll out.
 */
import { getEnv } from "@/lib/env";
import { openDatabase } from "./client";

openDatabase(getEnv().database).then(
  async (handle) => {
    console.log(`[otp-shield] migrations applied: ${handle.description}`);
    await handle.close();
  },
  (error: Error) => {
    console.error(`[otp-shield] migrations failed: ${error.message}`);
    process.exitCode = 1;
  },
);
