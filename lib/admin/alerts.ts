import "server-only";
import { raiseAlert } from "@/lib/alerts";
import { readAlertConsole, type AlertConsole } from "@/lib/alerts/console";
import { requireAdminForApi } from "./access";

/** The alerts page's data: the webhook, recent deliveries and drops. Admins only. */
export async function getAlertConsole(): Promise<AlertConsole> {
  await requireAdminForApi();
  return readAlertConsole();
}

/** The console's "Send a test alert": delivered like any alert, never deduplicated. Admins only. */
export async function sendTestAlert(): Promise<string | null> {
  await requireAdminForApi();
  return raiseAlert({
    kind: "test",
    state: "started",
    subject: "test from the admin console",
    evidence: { note: "Sent with the console's button; nothing tripped." },
  });
}
