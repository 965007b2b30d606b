import "server-only";
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
