import "server-only";
import { applyAdminPrivileges, pruneExpiredRecords } from "./accounts/sessions";
import { getDatabase } from "./db";
import { EnvError, getEnv } from "./env";
import { getBackend } from "./store";

/**
 * A bad configuration stops the server at startup with a message naming the setting, instead of
 * failing on the first request; a good one is summarised in the log.
 */
export function checkConfigurationAtStartup(): void {
  try {
    const env = getEnv();
    const provider = env.otpProvider === "sandbox" ? "sandbox (no SMS is sent)" : "8x8";
    console.log(`[otp-shield] OTP provider: ${provider}; store: ${getBackend().description}`);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`\n[otp-shield] ${error.message}\n`);
    process.exit(1);
  }
}

/**
 * Opens (and migrates) the database before the first request, so nobody waits for PGlite's first
 * start, ends the sessions of accounts whose admin rights changed with ADMIN_PHONE_NUMBERS and
 * deletes sessions and known devices that can no longer be used. A
 * database that is down does not stop the server: requests that need it answer 503 until it is back.
 */
export async function openDatabaseAtStartup(): Promise<void> {
  try {
    const { description } = await getDatabase();
    const [changed] = await Promise.all([
      applyAdminPrivileges(getEnv().adminPhoneNumbers),
      pruneExpiredRecords(),
    ]);
    console.log(
      `[otp-shield] database: ${description}${changed ? `; admin rights changed for ${changed} account(s), their sessions ended` : ""}`,
    );
  } catch (error) {
    console.error("[otp-shield] database unavailable at startup:", (error as Error).message);
  }
}
