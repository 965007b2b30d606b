import "server-only";
import { randomUUID } from "node:crypto";
import { getStore, type KeyValueStore } from "@/lib/store";

/** A person who has proved they hold a phone number. Keyed by E.164, the one identity we have. */
export type User = {
  id: string;
  phone: string;
  createdAt: string;
  lastSignInAt: string;
};

const userKey = (phone: string) => `user:phone:${phone}`;

export async function getUserByPhone(phone: string, store: KeyValueStore = getStore()): Promise<User | null> {
  return store.get<User>(userKey(phone));
}

/**
 * Signs a verified number up (first time) or in (every later time), in one store step. Creation is
 * atomic, so two concurrent first sign-ins produce one user and exactly one of them reports `isNewUser`.
 */
export async function recordVerifiedSignIn(
  phone: string,
  store: KeyValueStore = getStore(),
  now = new Date(),
): Promise<{ user: User; isNewUser: boolean }> {
  const fresh: User = {
    id: randomUUID(),
    phone,
    createdAt: now.toISOString(),
    lastSignInAt: now.toISOString(),
  };
  const { value, created } = await store.createOrMerge(userKey(phone), fresh, {
    lastSignInAt: now.toISOString(),
  });
  return { user: value, isNewUser: created };
}
