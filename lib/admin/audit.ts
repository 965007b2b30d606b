import "server-only";
import { config } from "@/lib/config";
import type { AuditEntry } from "@/lib/api/admin";
import { getStore } from "@/lib/store";

/**
 * Every admin action — adding or removing a rule, revealing a phone number — in a capped list the
 * console shows. Owner of the `admin-audit` key.
 */
const KEY = "admin-audit";
const CAPACITY = config.admin.auditCapacity.value;

export async function recordAdminAction(entry: Omit<AuditEntry, "at">): Promise<void> {
  await getStore().pushCapped<AuditEntry>(KEY, { at: new Date().toISOString(), ...entry }, CAPACITY);
}

export async function listAdminActions(limit = 100): Promise<AuditEntry[]> {
  return getStore().readList<AuditEntry>(KEY, 0, limit);
}
