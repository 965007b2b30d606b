import "server-only";
import { and, asc, count, eq } from "drizzle-orm";
import { queryDatabase } from "@/lib/db";
import { passkeys } from "@/lib/db/schema";

/**
 * The passkeys (WebAuthn credentials) of each account, as SimpleWebAuthn verified them
 * (lib/passkeys/ceremonies.ts). Only public keys are kept: a passkey's private key never leaves
 * the person's device or password manager, so a copy of this table signs nobody in.
 */
export type PasskeyRecord = typeof passkeys.$inferSelect;
export type NewPasskey = Omit<typeof passkeys.$inferInsert, "createdAt" | "lastUsedAt">;

export async function listPasskeys(userId: string): Promise<PasskeyRecord[]> {
  return queryDatabase("list passkeys", (db) =>
    db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt)),
  );
}

export async function countPasskeys(userId: string): Promise<number> {
  const [row] = await queryDatabase("count passkeys", (db) =>
    db.select({ total: count() }).from(passkeys).where(eq(passkeys.userId, userId)),
  );
  return row?.total ?? 0;
}

/** The passkey with this credential id, whoever's it is, or null. */
export async function findPasskey(id: string): Promise<PasskeyRecord | null> {
  const [row] = await queryDatabase("read passkey", (db) =>
    db.select().from(passkeys).where(eq(passkeys.id, id)),
  );
  return row ?? null;
}

/** Stores a verified new passkey; false when that credential id is already registered (to anyone). */
export async function addPasskey(passkey: NewPasskey): Promise<boolean> {
  const inserted = await queryDatabase("add passkey", (db) =>
    db.insert(passkeys).values(passkey).onConflictDoNothing().returning({ id: passkeys.id }),
  );
  return inserted.length > 0;
}

/**
 * Records a verified use: the new signature counter and when. A compare-and-set on the counter
 * SimpleWebAuthn checked against, so of two concurrent uses of one counter value (a cloned
 * authenticator racing the real one) only one is recorded — false for the other. Authenticators
 * that keep no counter (most synced passkeys) always send 0, and 0 stays 0.
 */
export async function recordPasskeyUse(id: string, previousCounter: number, newCounter: number) {
  const updated = await queryDatabase("record passkey use", (db) =>
    db
      .update(passkeys)
      .set({ counter: newCounter, lastUsedAt: new Date() })
      .where(and(eq(passkeys.id, id), eq(passkeys.counter, previousCounter)))
      .returning({ id: passkeys.id }),
  );
  return updated.length > 0;
}

/** Renames one of the user's passkeys; false when the user has no such passkey. */
export async function renamePasskey(userId: string, id: string, name: string): Promise<boolean> {
  const renamed = await queryDatabase("rename passkey", (db) =>
    db
      .update(passkeys)
      .set({ name })
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
      .returning({ id: passkeys.id }),
  );
  return renamed.length > 0;
}

/** Removes one of the user's passkeys; false when the user has no such passkey. */
export async function removePasskey(userId: string, id: string): Promise<boolean> {
  const removed = await queryDatabase("remove passkey", (db) =>
    db
      .delete(passkeys)
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
      .returning({ id: passkeys.id }),
  );
  return removed.length > 0;
}
