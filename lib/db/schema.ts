import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * What lives in the database: who has an account and what can sign in as it. Everything that
 * only counts or expires (limits, pending verifications, throttle events) stays in the store.
 * One schema for both drivers (PGlite embedded, node-postgres for a server); `npm run db:generate`
 * turns a change here into a committed migration under lib/db/migrations.
 */

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** A person who has proved they hold a phone number: the number (E.164) is the identity. */
export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  phone: text("phone").notNull().unique(),
  createdAt: timestamptz("created_at").notNull().defaultNow(),
  lastSignInAt: timestamptz("last_sign_in_at").notNull().defaultNow(),
  /** Whether the number was in ADMIN_PHONE_NUMBERS when last seen; a change ends older sessions. */
  isAdmin: boolean("is_admin").notNull().default(false),
});

/**
 * One row per signed-in browser. The Auth.js JWT carries the row's id (`sid`): deleting the row
 * ends the session everywhere, even for a copy of the cookie.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    lastSeenAt: timestamptz("last_seen_at").notNull().defaultNow(),
    /** How the session was opened: "sms" or "passkey". */
    method: text("method").notNull(),
    /** When a passkey was last proved in this session (the admin second factor). */
    passkeyVerifiedAt: timestamptz("passkey_verified_at"),
    userAgent: text("user_agent").notNull().default(""),
    /** The client's network (IPv4 /24, IPv6 /48), never the full address. */
    network: text("network").notNull().default(""),
  },
  (table) => [index("sessions_user_idx").on(table.userId)],
);

/**
 * Browsers that completed a code for the account: they may draw on the number's reserve when
 * someone spends its budget (the `send.phone.reserve` limit). The browser's cookie names the row.
 */
export const knownDevices = pgTable(
  "known_devices",
  {
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (table) => [index("known_devices_user_idx").on(table.userId)],
);

/** WebAuthn credentials (passkeys), as SimpleWebAuthn verifies them. */
export const passkeys = pgTable(
  "passkeys",
  {
    /** The credential id, base64url. */
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    publicKey: bytea("public_key").notNull(),
    counter: bigint("counter", { mode: "number" }).notNull().default(0),
    transports: jsonb("transports")
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    deviceType: text("device_type").notNull(),
    backedUp: boolean("backed_up").notNull(),
    name: text("name").notNull(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    lastUsedAt: timestamptz("last_used_at"),
    /**
     * Added by an admin enrollment link, or from a session that had proved such a passkey: with
     * ADMIN_REQUIRE_PASSKEY only these sign an admin in (lib/passkeys/admin-rules.ts).
     */
    enrolledForAdmin: boolean("enrolled_for_admin").notNull().default(false),
  },
  (table) => [index("passkeys_user_idx").on(table.userId)],
);

/**
 * Every admin action, and every account deletion. The actor is named by a masked number and a
 * link to the account that goes when the account does, so no full number is kept here.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    at: timestamptz("at").notNull().defaultNow(),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    target: text("target").notNull(),
    detail: text("detail"),
  },
  (table) => [index("audit_log_at_idx").on(table.at)],
);
