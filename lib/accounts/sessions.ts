import "server-only";
import { randomBytes } from "node:crypto";
import { and, desc, eq, inArray, lt, ne, sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { queryDatabase } from "@/lib/db";
import { knownDevices, sessions, users } from "@/lib/db/schema";

/**
 * Sessions that really end. Auth.js keeps its JWT cookie; the JWT names a row here (`sid`), and a
 * session is only as alive as its row: sign-out, "sign out everywhere", ending one session from the
 * account page, a privilege change or deleting the account remove rows, and every copy of the
 * cookie stops working — on this instance at once, on others within the check cache below.
 */
export type SessionRecord = typeof sessions.$inferSelect;
export type SignInMethod = "sms" | "passkey";
export type SessionOrigin = { userAgent: string | null; network: string | null };

const CACHE_MS = config.database.sessionCheckCache.value * 1000;
const SEEN_INTERVAL_MS = config.database.sessionSeenInterval.value * 1000;
/** Auth.js's JWT lapses this long after its last use; a row unseen for longer names a dead cookie. */
const SESSION_LIFETIME_MS = config.signIn.sessionMaxAge.value * 1000;
const DEVICE_LIFETIME_MS = config.signIn.knownDeviceLifetime.value * 1000;
/** Bounds the cache: only real sessions reach it (a JWT cannot be forged without AUTH_SECRET). */
const CACHE_CAPACITY = 10_000;

type CachedCheck = { session: SessionRecord | null; checkedAt: number };
const cacheKey = Symbol.for("otp-shield.session-checks");
function checks(): Map<string, CachedCheck> {
  const holder = globalThis as typeof globalThis & { [cacheKey]?: Map<string, CachedCheck> };
  return (holder[cacheKey] ??= new Map());
}

export async function createSession(
  userId: string,
  method: SignInMethod,
  origin: SessionOrigin,
): Promise<SessionRecord> {
  const now = new Date();
  const [session] = await queryDatabase("create session", (db) =>
    db
      .insert(sessions)
      .values({
        id: randomBytes(24).toString("base64url"),
        userId,
        method,
        createdAt: now,
        lastSeenAt: now,
        passkeyVerifiedAt: method === "passkey" ? now : null,
        userAgent: origin.userAgent ?? "",
        network: origin.network ?? "",
      })
      .returning(),
  );
  checks().set(session!.id, { session: session!, checkedAt: Date.now() });
  return session!;
}

/**
 * The live session `id` names, or null when it has ended. A look at the database is trusted for a
 * few seconds (config.database.sessionCheckCache), and "last seen" is written at most every few
 * minutes, so a busy user costs the database little.
 */
export async function findActiveSession(id: string): Promise<SessionRecord | null> {
  const cache = checks();
  const cached = cache.get(id);
  const now = Date.now();
  if (cached && now - cached.checkedAt < CACHE_MS) return cached.session;

  const [found] = await queryDatabase("read session", (db) =>
    db.select().from(sessions).where(eq(sessions.id, id)),
  );
  let session = found && now - found.lastSeenAt.getTime() < SESSION_LIFETIME_MS ? found : null;
  if (session && now - session.lastSeenAt.getTime() > SEEN_INTERVAL_MS) {
    const seen = new Date(now);
    await queryDatabase("touch session", (db) =>
      db.update(sessions).set({ lastSeenAt: seen }).where(eq(sessions.id, id)),
    );
    session = { ...session, lastSeenAt: seen };
  }
  if (cache.size >= CACHE_CAPACITY) cache.delete(cache.keys().next().value!);
  cache.delete(id);
  cache.set(id, { session, checkedAt: now });
  return session;
}

export async function listSessions(userId: string): Promise<SessionRecord[]> {
  return queryDatabase("list sessions", (db) =>
    db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(desc(sessions.lastSeenAt)),
  );
}

/** Ends one session; with `userId`, only if it is that user's (the account page's "End"). */
export async function endSession(id: string, userId?: string): Promise<boolean> {
  const ended = await queryDatabase("end session", (db) =>
    db
      .delete(sessions)
      .where(userId ? and(eq(sessions.id, id), eq(sessions.userId, userId)) : eq(sessions.id, id))
      .returning({ id: sessions.id }),
  );
  forget([id]);
  return ended.length > 0;
}

/** "Sign out everywhere": every session of the user, or every one but `keep`. */
export async function endAllSessions(userId: string, keep?: string): Promise<number> {
  const ended = await queryDatabase("end sessions", (db) =>
    db
      .delete(sessions)
      .where(keep ? and(eq(sessions.userId, userId), ne(sessions.id, keep)) : eq(sessions.userId, userId))
      .returning({ id: sessions.id }),
  );
  forget(ended.map(({ id }) => id));
  return ended.length;
}

/** Records that the session's holder proved a passkey just now (the admin second factor). */
export async function markPasskeyVerified(id: string): Promise<void> {
  await queryDatabase("mark passkey", (db) =>
    db.update(sessions).set({ passkeyVerifiedAt: new Date() }).where(eq(sessions.id, id)),
  );
  forget([id]);
}

/**
 * Admin rights follow ADMIN_PHONE_NUMBERS. When a number joins or leaves it (a restart with a new
 * list), the sessions that account opened before end: rights granted or withdrawn apply from a
 * fresh sign-in. Runs at startup (instrumentation.ts); returns how many accounts changed.
 */
export async function applyAdminPrivileges(adminPhones: readonly string[]): Promise<number> {
  const isListed = inArray(users.phone, [...adminPhones]);
  return queryDatabase("apply admin privileges", (db) =>
    db.transaction(async (tx) => {
      const flipped = await tx
        .update(users)
        .set({ isAdmin: isListed })
        .where(sql`${users.isAdmin} <> ${isListed}`)
        .returning({ id: users.id });
      if (flipped.length === 0) return 0;
      const ended = await tx
        .delete(sessions)
        .where(
          inArray(
            sessions.userId,
            flipped.map(({ id }) => id),
          ),
        )
        .returning({ id: sessions.id });
      forget(ended.map(({ id }) => id));
      return flipped.length;
    }),
  );
}

/**
 * Deletes what can no longer be used: sessions unseen for longer than a JWT lives, and known
 * devices of accounts that have not signed in for longer than the device cookie lives (the cookie
 * is renewed only by a sign-in). Runs at startup; returns how many rows went.
 */
export async function pruneExpiredRecords(now = Date.now()): Promise<number> {
  return queryDatabase("prune expired records", async (db) => {
    const [ended, devices] = await Promise.all([
      db
        .delete(sessions)
        .where(lt(sessions.lastSeenAt, new Date(now - SESSION_LIFETIME_MS)))
        .returning({ id: sessions.id }),
      db
        .delete(knownDevices)
        .where(
          inArray(
            knownDevices.userId,
            db
              .select({ id: users.id })
              .from(users)
              .where(lt(users.lastSignInAt, new Date(now - DEVICE_LIFETIME_MS))),
          ),
        )
        .returning({ id: knownDevices.id }),
    ]);
    forget(ended.map(({ id }) => id));
    return ended.length + devices.length;
  });
}

function forget(ids: string[]): void {
  const cache = checks();
  for (const id of ids) cache.delete(id);
}

/**
 * After an account is deleted: its sessions went with it (ON DELETE CASCADE); this instance stops
 * trusting its cached checks of them at once.
 */
export function forgetSessions(ids: string[]): void {
  forget(ids);
}
