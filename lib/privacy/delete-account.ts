import "server-only";
import { and, count, eq, or, sql, type SQL } from "drizzle-orm";
import { forgetSessions } from "@/lib/accounts/sessions";
import { queryDatabase } from "@/lib/db";
import { auditLog, knownDevices, passkeys, sessions, users } from "@/lib/db/schema";
import { forgetNumberBudgets } from "@/lib/defenses/limits";
import { forgetLookupAnswer } from "@/lib/defenses/number-lookup";
import { forgetSandboxNumber } from "@/lib/eight-by-eight/sandbox/inbox";
import { flushThrottleEvents, getThrottleEventLog } from "@/lib/events";
import { maskPhone } from "@/lib/phone";
import { forgetKnownDevices } from "@/lib/sign-in/known-device";
import { forgetIssuance } from "@/lib/sign-in/pending-verification";

/** What a deletion removed, as its audit entry records it (counts only: no number, no address). */
export type DeletionSummary = {
  /** False when the account was already gone (a retry after a failure): the store was scrubbed again. */
  deleted: boolean;
  sessions: number;
  knownDevices: number;
  passkeys: number;
  throttleEvents: number;
};

/**
 * "Delete my account": the account and everything that names its number, in an order that a
 * failure can interrupt anywhere and a retry completes.
 *
 * 1. The store first: the number's throttle events (after this process's pending batch is
 *    written), every budget keyed by the number, the ownership of its current code, 8x8's cached
 *    line type for it, and the sandbox's messages and sessions. Each step only removes, so one
 *    that fails (the store down: StoreUnavailableError, 503) leaves the account intact and a retry
 *    runs them all again.
 * 2. Then the database, in one transaction: the number in audit entries replaced by its masked
 *    form, an entry recording the deletion (with counts, without the number), and the account —
 *    its sessions, known devices and passkeys go with it (ON DELETE CASCADE). All or nothing; a
 *    database down (DatabaseUnavailableError, 503) changes nothing here.
 * 3. This instance forgets the ended sessions and devices at once; other instances within their
 *    check cache (config.database.sessionCheckCache).
 *
 * What stays, and why, is in the README ("Your data"): counts that name no number (per rule,
 * prefix, range, country), operator rules an admin wrote about the number, and what 8x8 keeps.
 * Requests made with the number after this are new data, recorded as any other.
 */
export async function deleteAccount(account: { userId: string; phone: string }): Promise<DeletionSummary> {
  const { userId, phone } = account;

  await flushThrottleEvents();
  const [throttleEvents] = await Promise.all([
    getThrottleEventLog().forgetPhone(phone),
    forgetNumberBudgets(phone),
    forgetIssuance(phone),
    forgetLookupAnswer(phone),
  ]);
  await forgetSandboxNumber(phone);

  const removed = await queryDatabase("delete account", (db) =>
    db.transaction(async (tx) => {
      const sessionIds = await tx
        .select({ id: sessions.id })
        .from(sessions)
        .where(eq(sessions.userId, userId));
      const deviceIds = await tx
        .select({ id: knownDevices.id })
        .from(knownDevices)
        .where(eq(knownDevices.userId, userId));
      const [passkeyCount] = await tx
        .select({ value: count() })
        .from(passkeys)
        .where(eq(passkeys.userId, userId));

      await tx
        .update(auditLog)
        .set({ target: masking(auditLog.target, phone), detail: masking(auditLog.detail, phone) })
        .where(or(mentions(auditLog.target, phone), mentions(auditLog.detail, phone)));

      const deleted = await tx.delete(users).where(eq(users.id, userId)).returning({ id: users.id });
      const summary = {
        deleted: deleted.length > 0,
        sessions: sessionIds.length,
        knownDevices: deviceIds.length,
        passkeys: passkeyCount?.value ?? 0,
      };
      if (summary.deleted) {
        await tx.insert(auditLog).values({
          actorId: null,
          actorLabel: "account holder",
          action: "delete account",
          // The account's random id: it names nothing once the account is gone.
          target: `account ${userId}`,
          detail:
            `${summary.sessions} sessions, ${summary.knownDevices} known devices, ` +
            `${summary.passkeys} passkeys, ${throttleEvents} throttle events removed`,
        });
      }
      return {
        summary,
        sessionIds: sessionIds.map(({ id }) => id),
        deviceIds: deviceIds.map(({ id }) => id),
      };
    }),
  );

  forgetSessions(removed.sessionIds);
  forgetKnownDevices(removed.deviceIds);
  return { ...removed.summary, throttleEvents };
}

/** The number as E.164 or bare digits: how rule values, event ids and details would name it. */
function mentions(column: typeof auditLog.target | typeof auditLog.detail, phone: string): SQL {
  return and(sql`${column} is not null`, sql`strpos(${column}, ${phone.slice(1)}) > 0`)!;
}

/**
 * The column with the number replaced by its masked form (`+65 ••••4567`, as the audit log names
 * its actors): one mask for the whole log, so no two entries together show more of a number.
 */
function masking(column: typeof auditLog.target | typeof auditLog.detail, phone: string): SQL {
  const masked = maskPhone(phone);
  return sql`replace(replace(${column}, ${phone}, ${masked}), ${phone.slice(1)}, ${masked})`;
}
