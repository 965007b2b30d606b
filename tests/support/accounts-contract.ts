import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  applyAdminPrivileges,
  createSession,
  endAllSessions,
  endSession,
  findActiveSession,
  forgetSessions,
  listSessions,
  pruneExpiredRecords,
} from "@/lib/accounts/sessions";
import { config } from "@/lib/config";
import { knownDevices, sessions } from "@/lib/db/schema";
import { getUserById, recordVerifiedSignIn } from "@/lib/accounts/users";
import { closeDatabase, getDatabase } from "@/lib/db";

const origin = { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0", network: "203.0.113.0/24" };
let counter = 0;
/** A number of this run's own, so the contract can run twice on one database. */
const freshPhone = () => `+6581${String(Date.now() % 100_000).padStart(5, "0")}${String(counter++ % 10)}`;

/** The accounts data layer's behaviour, the same on every driver (PGlite and Postgres). */
export function describeAccountsContract(driver: "pglite" | "postgres") {
  describe(`accounts on ${driver}`, () => {
    it("runs on the driver it was given", async () => {
      expect((await getDatabase()).kind).toBe(driver);
    });

    it("creates an account once for a number and signs it in again with the same id", async () => {
      const phone = freshPhone();
      const first = await recordVerifiedSignIn(phone);
      const second = await recordVerifiedSignIn(phone);
      expect(first.isNewUser).toBe(true);
      expect(second.isNewUser).toBe(false);
      expect(second.user.id).toBe(first.user.id);
      expect(second.user.lastSignInAt.getTime()).toBeGreaterThanOrEqual(first.user.lastSignInAt.getTime());
    });

    it("makes one account of 20 concurrent first sign-ins, exactly one of them new", async () => {
      const phone = freshPhone();
      const results = await Promise.all(Array.from({ length: 20 }, () => recordVerifiedSignIn(phone)));
      expect(new Set(results.map(({ user }) => user.id)).size).toBe(1);
      expect(results.filter(({ isNewUser }) => isNewUser)).toHaveLength(1);
    });

    it("ends a session for every copy of its cookie, and only the owner can end it", async () => {
      const { user } = await recordVerifiedSignIn(freshPhone());
      const { user: stranger } = await recordVerifiedSignIn(freshPhone());
      const session = await createSession(user.id, "sms", origin);
      expect(await findActiveSession(session.id)).toMatchObject({ userId: user.id, network: origin.network });
      expect(await endSession(session.id, stranger.id)).toBe(false);
      expect(await findActiveSession(session.id)).not.toBeNull();
      expect(await endSession(session.id, user.id)).toBe(true);
      expect(await findActiveSession(session.id)).toBeNull();
    });

    it("signs out everywhere but the session that asked, and lists what is left", async () => {
      const { user } = await recordVerifiedSignIn(freshPhone());
      const [kept, ...others] = await Promise.all([1, 2, 3].map(() => createSession(user.id, "sms", origin)));
      expect(await listSessions(user.id)).toHaveLength(3);
      expect(await endAllSessions(user.id, kept!.id)).toBe(2);
      expect((await listSessions(user.id)).map(({ id }) => id)).toEqual([kept!.id]);
      for (const other of others) expect(await findActiveSession(other.id)).toBeNull();
      expect(await endAllSessions(user.id)).toBe(1);
      expect(await findActiveSession(kept!.id)).toBeNull();
    });

    it("ends the sessions of an account whose admin rights changed, and no others", async () => {
      const admin = freshPhone();
      const other = freshPhone();
      const { user: adminUser } = await recordVerifiedSignIn(admin, true);
      const { user: otherUser } = await recordVerifiedSignIn(other, false);
      const adminSession = await createSession(adminUser.id, "sms", origin);
      const otherSession = await createSession(otherUser.id, "sms", origin);
      // Still listed, other still not: nothing changes.
      await applyAdminPrivileges([admin]);
      expect(await findActiveSession(adminSession.id)).not.toBeNull();

      // The admin is removed from the list, the other number added: both lose their sessions.
      expect(await applyAdminPrivileges([other])).toBeGreaterThanOrEqual(2);
      expect(await findActiveSession(adminSession.id)).toBeNull();
      expect(await findActiveSession(otherSession.id)).toBeNull();
      expect((await getUserById(otherUser.id))?.isAdmin).toBe(true);
      expect((await getUserById(adminUser.id))?.isAdmin).toBe(false);
    });

    it("treats a session unseen for longer than a JWT lives as ended, and prunes it with stale devices", async () => {
      const { user } = await recordVerifiedSignIn(freshPhone());
      const [stale, fresh] = await Promise.all([
        createSession(user.id, "sms", origin),
        createSession(user.id, "sms", origin),
      ]);
      const { db } = await getDatabase();
      const longAgo = new Date(Date.now() - (config.signIn.sessionMaxAge.value + 60) * 1000);
      await db.update(sessions).set({ lastSeenAt: longAgo }).where(eq(sessions.id, stale.id));
      await db.insert(knownDevices).values({ id: `device-${stale.id}`, userId: user.id });
      forgetSessions([stale.id]);
      expect(await findActiveSession(stale.id)).toBeNull();

      expect(await pruneExpiredRecords()).toBeGreaterThanOrEqual(1);
      expect((await listSessions(user.id)).map(({ id }) => id)).toEqual([fresh.id]);
      // The account signed in just now: its device stays until the device cookie could have lapsed.
      expect(await db.select().from(knownDevices).where(eq(knownDevices.userId, user.id))).toHaveLength(1);
      const later = Date.now() + (config.signIn.knownDeviceLifetime.value + 60) * 1000;
      await pruneExpiredRecords(later);
      expect(await db.select().from(knownDevices).where(eq(knownDevices.userId, user.id))).toHaveLength(0);
    });

    it("keeps accounts when the database is closed and opened again", async () => {
      const phone = freshPhone();
      const { user } = await recordVerifiedSignIn(phone);
      await closeDatabase();
      const again = await recordVerifiedSignIn(phone);
      expect(again).toMatchObject({ isNewUser: false, user: { id: user.id } });
    });

    it("has applied every committed migration exactly once", async () => {
      const { db } = await getDatabase();
      const applied = (await db.execute(
        sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
      )) as {
        rows: { count: number }[];
      };
      const { rows } = applied;
      const { readdirSync } = await import("node:fs");
      const committed = readdirSync("lib/db/migrations").filter((file) => file.endsWith(".sql"));
      expect(rows[0]?.count).toBe(committed.length);
    });
  });
}
