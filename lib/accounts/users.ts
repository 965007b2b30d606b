import "server-only";
import { eq, getTableColumns, sql } from "drizzle-orm";
import { queryDatabase } from "@/lib/db";
import { users } from "@/lib/db/schema";

/** A person who has proved they hold a phone number. The number (E.164) is the one identity we have. */
export type User = typeof users.$inferSelect;

export async function getUserById(id: string): Promise<User | null> {
  const [user] = await queryDatabase("read user", (db) => db.select().from(users).where(eq(users.id, id)));
  return user ?? null;
}

export async function getUserByPhone(phone: string): Promise<User | null> {
  const [user] = await queryDatabase("read user", (db) =>
    db.select().from(users).where(eq(users.phone, phone)),
  );
  return user ?? null;
}

/**
 * Signs a verified number up (first time) or in (every later time), in one statement. The insert
 * is atomic on the unique number, so two concurrent first sign-ins produce one user and exactly one
 * of them reports `isNewUser` (Postgres marks the row it inserted with `xmax = 0`).
 */
export async function recordVerifiedSignIn(
  phone: string,
  /** Whether the number is in ADMIN_PHONE_NUMBERS (kept on the account: see applyAdminPrivileges). */
  isAdmin = false,
): Promise<{ user: User; isNewUser: boolean }> {
  const [row] = await queryDatabase("record sign-in", (db) =>
    db
      .insert(users)
      .values({ phone, isAdmin })
      .onConflictDoUpdate({ target: users.phone, set: { lastSignInAt: sql`now()` } })
      .returning({ ...getTableColumns(users), isNewUser: sql<boolean>`(xmax = 0)` }),
  );
  const { isNewUser, ...user } = row!;
  return { user, isNewUser };
}
