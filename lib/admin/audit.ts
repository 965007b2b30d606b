import "server-only";
import type { Session } from "next-auth";
import { desc } from "drizzle-orm";
import type { AuditEntry } from "@/lib/api/admin";
import { queryDatabase } from "@/lib/db";
import { auditLog } from "@/lib/db/schema";
import { maskPhone } from "@/lib/phone";

/**
 * Every admin action — adding or removing a rule, revealing a phone number, lifting a block — in
 * the database's audit log, which the console shows. The admin is recorded by a masked number and
 * a link to the account (gone if the account is deleted), never the full number.
 */
export async function recordAdminAction(
  session: Session,
  entry: Omit<AuditEntry, "at" | "admin">,
): Promise<void> {
  await queryDatabase("record admin action", (db) =>
    db.insert(auditLog).values({
      actorId: session.user.id || null,
      actorLabel: maskPhone(session.user.phone),
      action: entry.action,
      target: entry.target,
      detail: entry.detail ?? null,
    }),
  );
}

export async function listAdminActions(limit = 100): Promise<AuditEntry[]> {
  const rows = await queryDatabase("read audit log", (db) =>
    db.select().from(auditLog).orderBy(desc(auditLog.at)).limit(limit),
  );
  return rows.map((row) => ({
    at: row.at.toISOString(),
    admin: row.actorLabel,
    action: row.action,
    target: row.target,
    ...(row.detail ? { detail: row.detail } : {}),
  }));
}
