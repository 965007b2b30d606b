/**
 * A throttle event: one refused request, with everything an operator needs to explain it.
 * Attacker-controlled fields (user agent, phone-like input) are stored as given and must be
 * rendered as text.
 */
export type ThrottleEvent = {
  /** Time-ordered and unique: `<epoch ms>-<sequence>`, as Redis stream ids. */
  id: string;
  at: number;
  route: string;
  /** The rule that refused, e.g. `limit.phone`, `captcha`, `client_ip`, `store_unavailable`. */
  rule: string;
  /** What happened to the request: `refused` (4xx) or `failed` (5xx). */
  decision: "refused" | "failed";
  ip: string | null;
  /** The /24 (IPv4) or /48 (IPv6) aggregate of `ip`. */
  subnet: string | null;
  /** E.164, only while within the phone retention period; null afterwards. */
  phone: string | null;
  /** Always kept: `+65 ••••4567`. */
  phoneMasked: string | null;
  country: string | null;
  /** E.164 without its last four digits. */
  prefix: string | null;
  userAgent: string | null;
  retryAfterSeconds: number | null;
  requestId: string;
};

export type NewThrottleEvent = Omit<ThrottleEvent, "id" | "at" | "phoneMasked"> & { at?: number };

export type ThrottleEventFilters = {
  rule?: string;
  route?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  to?: number;
  /** An address, or a subnet key such as `203.0.113.0/24`. */
  ip?: string;
  country?: string;
  prefix?: string;
  /** The last digits of the phone number. */
  phoneSuffix?: string;
};

export type ThrottleEventPage = {
  events: ThrottleEvent[];
  /** Pass back as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null;
};

export type ThrottleAggregates = {
  granularity: "minute" | "hour";
  /** Oldest first; every bucket in the range, empty ones included. */
  buckets: { start: number; counts: Record<string, number> }[];
  top: Record<"ip" | "subnet" | "prefix" | "country", { value: string; count: number }[]>;
};

export type ThrottleEventLog = {
  /** Appends an event; the log keeps the newest `capacity` events. */
  record(event: NewThrottleEvent): Promise<ThrottleEvent>;
  /** Appends several events in one round trip, oldest first. */
  recordMany(events: NewThrottleEvent[]): Promise<void>;
  /** Newest first, `limit` at most, from before `cursor`, matching every filter given. */
  list(query: { cursor?: string; limit: number; filters?: ThrottleEventFilters }): Promise<ThrottleEventPage>;
  /** Counts a code sent or verified, into the same per-minute and per-hour buckets as `@sent` / `@verified`. */
  noteOutcome(outcome: "sent" | "verified", at?: number): Promise<void>;
  /** Counts per rule per minute (last `minutes`) or per hour (last `hours`), and the top offenders. */
  aggregate(query: {
    granularity: "minute" | "hour";
    buckets: number;
    now?: number;
  }): Promise<ThrottleAggregates>;
};

export const TOP_DIMENSIONS = ["ip", "subnet", "prefix", "country"] as const;
export const TOP_SIZE = 10;
/** A list call reads at most this many stored events, so a rare filter cannot make it unbounded. */
export const MAX_SCANNED_PER_PAGE = 5000;
