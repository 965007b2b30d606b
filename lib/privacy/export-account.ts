import "server-only";
import { asc, eq } from "drizzle-orm";
import { queryDatabase } from "@/lib/db";
import { auditLog, knownDevices, passkeys, sessions, users } from "@/lib/db/schema";

/**
 * "Download my data": every record the database holds about one account, as JSON. Read in one
 * transaction (one consistent snapshot) and only by the account's own id, so no other account's
 * data can appear. Left out on purpose: the ids of sessions and known devices (they name live
 * records, and a downloaded file may end up anywhere) and the passkeys' private parts (we never
 * have them). What the store keeps about the number is described, not listed: it is counted per
 * number, not per account (README, "Your data").
 */
export async function exportAccountData(userId: string) {
  return queryDatabase("export account", (db) =>
    db.transaction(async (tx) => {
      const [account] = await tx.select().from(users).where(eq(users.id, userId));
      if (!account) return null;
      const [sessionRows, deviceRows, passkeyRows, actionRows] = [
        await tx.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(asc(sessions.createdAt)),
        await tx
          .select()
          .from(knownDevices)
          .where(eq(knownDevices.userId, userId))
          .orderBy(asc(knownDevices.createdAt)),
        await tx.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt)),
        await tx.select().from(auditLog).where(eq(auditLog.actorId, userId)).orderBy(asc(auditLog.at)),
      ];
      return {
        exportedAt: new Date().toISOString(),
        account: {
          id: account.id,
          phone: account.phone,
          createdAt: account.createdAt.toISOString(),
          lastSignInAt: account.lastSignInAt.toISOString(),
          isAdmin: account.isAdmin,
        },
        sessions: sessionRows.map((row) => ({
          method: row.method,
          device: row.userAgent,
          network: row.network,
          createdAt: row.createdAt.toISOString(),
          lastSeenAt: row.lastSeenAt.toISOString(),
          passkeyVerifiedAt: row.passkeyVerifiedAt?.toISOString() ?? null,
        })),
        knownDevices: deviceRows.map((row) => ({ createdAt: row.createdAt.toISOString() })),
        passkeys: passkeyRows.map((row) => ({
          credentialId: row.id,
          name: row.name,
          publicKey: Buffer.from(row.publicKey).toString("base64url"),
          counter: row.counter,
          transports: row.transports,
          deviceType: row.deviceType,
          backedUp: row.backedUp,
          createdAt: row.createdAt.toISOString(),
          lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
        })),
        adminActions: actionRows.map((row) => ({
          at: row.at.toISOString(),
          action: row.action,
          target: row.target,
          detail: row.detail,
        })),
      };
    }),
  );
}

export type AccountData = NonNullable<Awaited<ReturnType<typeof exportAccountData>>>;
