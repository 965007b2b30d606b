import { config } from "@/lib/config";

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
  /**
   * What happened: the request was `refused` (4xx) or `failed` (5xx); or, beside the request's
   * outcome, a rule in shadow mode would have refused it (`shadow`), or a fraud budget blocked its
   * level (`auto_block`, with `evidence`).
   */
  decision: "refused" | "failed" | "shadow" | "auto_block";
  ip: string | null;
  /** The /24 (IPv4) or /48 (IPv6) aggregate of `ip`. */
  subnet: string | null;
  /**
   * The number without its last four digits, `+65 8123 ••••`: the same digits as `prefix`, never
   * more. The full number is not part of a listed event; only `revealPhone` returns it (audited).
   */
  phoneMasked: string | null;
  country: string | null;
  /** E.164 without its last four digits (the range SMS pumping targets; what operators block). */
  prefix: string | null;
  userAgent: string | null;
  retryAfterSeconds: number | null;
  requestId: string;
  /** What an automatic block saw (volume, conversion, window, baseline, threshold). */
  evidence?: Record<string, number | string>;
};

/** A refusal as a route records it: with the full number, which the log keeps for the audited reveal. */
export type NewThrottleEvent = Omit<ThrottleEvent, "id" | "at" | "phoneMasked"> & {
  at?: number;
  /** E.164; kept inside the capped log entry, readable by `revealPhone` during the retention period. */
  phone: string | null;
};

/** An event as a log stores it: with the full number, which only `revealPhone` returns. */
export type StoredThrottleEvent = ThrottleEvent & { phone: string | null };

export type ThrottleEventFilters = {
  /** A rule name, or a family of them: `captcha.*` matches every rule that starts `captcha.`. */
  rule?: string;
  route?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  to?: number;
  /** An address, or a subnet key such as `203.0.113.0/24`. */
  ip?: string;
  country?: string;
  /** Matches `prefix`. There is deliberately no filter on the hidden last digits: it would reveal them. */
  prefix?: string;
};

export type ThrottleEventPage = {
  events: ThrottleEvent[];
  /** Pass back as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null;
  /**
   * Pass back as `after` for the next newer page; null on the newest page (a page read without
   * `cursor` or `after`, or one that reached the newest event).
   */
  newerCursor: string | null;
};

export type ThrottleAggregates = {
  granularity: "minute" | "hour";
  /** Oldest first; every bucket in the range, empty ones included. */
  buckets: { start: number; counts: Record<string, number> }[];
  top: Record<"ip" | "subnet" | "prefix" | "country", { value: string; count: number }[]>;
};

/**
 * A code sent or verified, when, and where it went: what the console's conversion per country
 * and per number range, the spend estimate and the backtests are made of.
 */
export type TrafficOutcome = {
  outcome: "sent" | "verified";
  at: number;
  country: string | null;
  /** The number range (lib/phone.ts, `Destination.range`). */
  range: string;
  /** The number without its last four digits (`Destination.prefix`): what `send.prefix` counts. */
  prefix: string;
  /** The client's /24 or /64 network: what `send.subnet` counts. */
  subnet: string | null;
  /** The pending verification the code belongs to: joins a verified code to its send. */
  pendingId: string;
  /** The send's estimated price, in mills (1/1000 USD). */
  priceMills: number;
};

/**
 * What a backtest replays, oldest first: each send with what its budgets are keyed on, and each
 * verified code with the send it belongs to. No number and no address: a prefix and a network.
 */
export type TrafficRecord =
  | ({ outcome: "sent" } & Omit<TrafficOutcome, "outcome">)
  | { outcome: "verified"; at: number; pendingId: string };

/** Codes sent, codes verified and estimated spend (mills) of one country in one bucket. */
export type CountryTraffic = { sent: number; verified: number; spendMills: number };

export type TrafficAggregates = {
  granularity: "minute" | "hour";
  /** Oldest first; every bucket in the range, empty ones included. Countries by ISO code, `??` unknown. */
  buckets: { start: number; countries: Record<string, CountryTraffic> }[];
  /**
   * The number ranges with the most sends in the buckets' hours, most first, with their verified
   * codes. Space-Saving counts (`top-sources.ts`): a range that entered a full hour's set inherited
   * the count of the one it replaced, so its sends may be high by that much and its verified codes
   * are counted from its entry only.
   */
  ranges: { range: string; sent: number; verified: number }[];
};

export type ThrottleEventLog = {
  /** Appends an event; the log keeps the newest `capacity` events. */
  record(event: NewThrottleEvent): Promise<ThrottleEvent>;
  /**
   * Appends several events, oldest first, and counts codes sent and verified into the same
   * per-minute and per-hour buckets as `@sent` / `@verified` (the console's conversion), into the
   * per-country and per-range traffic counts, and into the capped record stream backtests replay:
   * one round trip.
   */
  recordMany(events: NewThrottleEvent[], outcomes?: TrafficOutcome[]): Promise<void>;
  /**
   * Newest first, `limit` at most, matching every filter given: the newest events before `cursor`,
   * or with `after` the oldest events after it (the page just newer than one shown).
   */
  list(query: {
    cursor?: string;
    after?: string;
    limit: number;
    filters?: ThrottleEventFilters;
  }): Promise<ThrottleEventPage>;
  /**
   * The full number of one event, while the retention period lasts (null after it, or when the
   * event had none); null when no event has this id. Callers audit every call.
   */
  revealPhone(id: string): Promise<{ phone: string | null } | null>;
  /**
   * Removes every stored event whose full number is `phone` (an account deletion, see
   * lib/privacy/delete-account.ts); the number of events removed. The counts per rule, the top sources
   * (address, network, prefix, country) and the traffic counts stay: none of them holds a number.
   * Bounded work: at most the events still within the retention period are read, and the log is
   * capped — no key is scanned.
   */
  forgetPhone(phone: string): Promise<number>;
  /**
   * Sends, verified codes and spend per country per minute (the last two hours are kept) or per
   * hour, and the top number ranges of the hours covered.
   */
  traffic(query: {
    granularity: "minute" | "hour";
    buckets: number;
    now?: number;
  }): Promise<TrafficAggregates>;
  /** The stored sends and verified codes from `from` (epoch ms) on, oldest first, `limit` at most. */
  trafficRecords(query: { from: number; limit: number }): Promise<TrafficRecord[]>;
  /** Counts per rule per minute (last `minutes`) or per hour (last `hours`), and the top offenders. */
  aggregate(query: {
    granularity: "minute" | "hour";
    buckets: number;
    now?: number;
  }): Promise<ThrottleAggregates>;
};

export const TOP_DIMENSIONS = ["ip", "subnet", "prefix", "country"] as const;
/** Top entries shown per dimension. */
export const TOP_SIZE = config.events.topShown.value;
/**
 * Top entries kept per dimension per hour. Refusals cost an attacker nothing, and each can carry
 * a new address, network and prefix: without a cap these sets grow by one member per refusal.
 * 100 keeps the shown top 10 exact across a day of hours, and stays under Redis's
 * `zset-max-listpack-entries` (128), the compact encoding: ~5 KB per set, at most 4 × 192 sets.
 * Kept with the Space-Saving algorithm (see `trimmed-top.ts`), so a flood of distinct values cannot
 * push a real heavy source out of the set.
 */
export const TOP_KEPT_PER_HOUR = config.events.topKeptPerHour.value;
/** A list call reads at most this many stored events, so a rare filter cannot make it unbounded. */
export const MAX_SCANNED_PER_PAGE = config.events.maxScannedPerPage.value;
