import "server-only";
import { getEnv } from "@/lib/env";
import { getStore } from "@/lib/store";
import { DELIVERIES_KEY, DELIVERY_RECORDS_KEPT } from "./dispatcher";
import { getAlertDispatcher } from "./index";
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

/**
 * What the console shows about alerts, the same on every instance. It checks no rights: the admin
 * console reads it through lib/admin/alerts.ts, which does.
 */
export async function readAlertConsole(limit = 50): Promise<AlertConsole> {
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
