/** Runs once when the server starts (Next.js instrumentation hook). */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkConfigurationAtStartup, openDatabaseAtStartup } = await import("./lib/startup-check");
    checkConfigurationAtStartup();
    await openDatabaseAtStartup();
  }
}
