import "server-only";
import { requireAdminForApi } from "@/lib/admin/access";
import { getEnv } from "@/lib/env";
import { getStore } from "@/lib/store";
import { DELIVERIES_KEY, DELIVERY_RECORDS_KEPT } from "./dispatcher";
import { getAlertDispatcher, raiseAlert } from "./index";
import type { DeliveryRecord } from "./kinds";

export type AlertConsole = {
  /** The webhook's origin (never its path or query, which may hold a token); null when not set. */
  webhookOrigin: string | null;
  queueCapacity: number;
  maxAttempts: number;
  /** Each alert's newest status, newest first. */
  deliveries: DeliveryRecord[];
  /**
   * Alerts dropped because a queue was full, summed over the instances that wrote a status
   * recently (each counts since it started).
   */
  dropped: number;
};

/** What the console shows about alerts, the same on every instance. Admins only. */
export async function getAlertConsole(limit = 50): Promise<AlertConsole> {
  await requireAdminForApi();
  const { alerts } = getEnv();
  const records = await getStore().readList<DeliveryRecord>(DELIVERIES_KEY, 0, DELIVERY_RECORDS_KEPT);
  const newest = new Map<string, DeliveryRecord>();
  const droppedBy = new Map<string, number>();
  for (const record of records) {
    if (!newest.has(record.id)) newest.set(record.id, record);
    if (!droppedBy.has(record.instance)) droppedBy.set(record.instance, record.droppedByInstance);
  }
  // This instance's count is current even when its last drop has no record yet.
  droppedBy.set(getAlertDispatcher().instance, getAlertDispatcher().droppedCount());
  return {
    webhookOrigin: alerts.webhook ? new URL(alerts.webhook.url).origin : null,
    queueCapacity: alerts.queueCapacity,
    maxAttempts: alerts.maxAttempts,
    deliveries: [...newest.values()].slice(0, limit),
    dropped: [...droppedBy.values()].reduce((sum, count) => sum + count, 0),
  };
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
