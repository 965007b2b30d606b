import type { Redis as UpstashRedis } from "@upstash/redis";
import { config } from "@/lib/config";
import { withDeadline } from "@/lib/store/deadline";
import { HIDDEN_DIGITS, maskForOperators } from "./masking";
import {
  bucketStarts,
  countedAs,
  hourStart,
  matchesFilters,
  minuteStart,
  nextId,
  toListedEvent,
  topEntries,
} from "./matching";
import { createPhoneSealer } from "./phone-sealing";
import { COUNT_TOP_SOURCES_SCRIPT } from "./top-sources";
import {
  COUNT_RANGES_SCRIPT,
  COUNTRY_MINUTES_KEPT_SECONDS,
  countOutcome,
  rangesOf,
  RANGES_KEPT_PER_HOUR,
  toCountries,
  topRanges,
  toTrafficRecord,
  TRAFFIC_RECORDS_KEPT,
  type RangeCounts,
} from "./traffic";
import {
  type NewThrottleEvent,
  MAX_SCANNED_PER_PAGE,
  TOP_DIMENSIONS,
  TOP_KEPT_PER_HOUR,
  TOP_SIZE,
  type ThrottleEvent,
  type ThrottleEventFilters,
  type ThrottleEventLog,
  type ThrottleEventPage,
  type TrafficOutcome,
  type TrafficRecord,
} from "./types";

const MINUTE_TTL_SECONDS = config.events.minuteCountsKept.value;
const HOUR_TTL_SECONDS = config.events.hourCountsKept.value;
const TOP_TTL_SECONDS = config.events.topSourcesKept.value;
const SCAN_BATCH = config.events.scanBatch.value;
/**
 * Stream ids are Redis's clock at insertion, `at` is the app's clock at refusal (recording runs
 * after the response): time filters read the id range widened by this much, then filter on `at`.
 */
const CLOCK_SLACK_MS = config.events.clockSlack.value;
const HOUR_MS = 3_600_000;

/**
 * Appends a batch to a capped stream in one command: KEYS[1] the stream; ARGV its capacity
 * (`MAXLEN ~`), the field name, then one value per entry. Returns the last entry's id. One XADD per
 * event would cost the app a command and a parsed reply each, which under a flood of refusals was
 * most of what recording one cost.
 */
const APPEND_SCRIPT = `
local id
for index = 3, #ARGV do
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', ARGV[2], ARGV[index])
end
return id
`;

/** An event as the stream holds it: its id is the entry's, its number sealed (`phone-sealing.ts`). */
type StoredEvent = Omit<ThrottleEvent, "id"> & { sealedPhone: string | null };

/**
 * The log on Redis. Owns every `te:` key, and each is bounded whatever a refusal carries (refusals
 * cost an attacker nothing — no CAPTCHA is solved — so nothing may grow per refusal):
 * - `te:stream` — a Stream capped at `capacity` entries (XADD MAXLEN ~), one JSON field per event,
 *   the full number sealed inside it: no key per event;
 * - `te:pk:<hour>` — the key that unseals the numbers of one hour, expiring with their retention;
 * - `te:m:<minute>` / `te:h:<hour>` — hashes of counts per rule, expiring;
 * - `te:top:<dimension>:<hour>` — sorted sets of counts per IP, subnet, prefix and country, at
 *   most `TOP_KEPT_PER_HOUR` members each (Space-Saving, `top-sources.ts`), expiring;
 * - `te:cm:<minute>` / `te:ch:<hour>` — hashes of sends, verified codes and spend per country
 *   (`<CC>:s|v|m`, ./traffic.ts), expiring;
 * - `te:rs:<hour>` / `te:rv:<hour>` — sends per number range (a sorted set, at most
 *   `RANGES_KEPT_PER_HOUR`, Space-Saving) and their verified codes (a hash of the same members);
 * - `te:traffic` — a Stream capped at `trafficRecords` entries: the sends and verified codes a
 *   backtest replays.
 * All of a batch's writes go in one pipeline: one round trip (and, once per hour and instance, one
 * more to fetch the hour's `te:pk:` key), one command per key touched rather than per event.
 */
export function createRedisThrottleLog(options: {
  redis: UpstashRedis;
  keyPrefix: string;
  capacity: number;
  phoneRetentionMs: number;
  timeoutMs: number;
  trafficRecords?: number;
}): ThrottleEventLog {
  const { redis, keyPrefix } = options;
  const key = {
    stream: `${keyPrefix}te:stream`,
    minute: (start: number) => `${keyPrefix}te:m:${start}`,
    hour: (start: number) => `${keyPrefix}te:h:${start}`,
    top: (dimension: string, start: number) => `${keyPrefix}te:top:${dimension}:${start}`,
    phoneKey: (hour: number) => `${keyPrefix}te:pk:${hour}`,
    countryMinute: (start: number) => `${keyPrefix}te:cm:${start}`,
    countryHour: (start: number) => `${keyPrefix}te:ch:${start}`,
    rangeSends: (start: number) => `${keyPrefix}te:rs:${start}`,
    rangeVerified: (start: number) => `${keyPrefix}te:rv:${start}`,
    records: `${keyPrefix}te:traffic`,
  };
  const recordsKept = options.trafficRecords ?? TRAFFIC_RECORDS_KEPT;
  const guard = <T>(operation: string, promise: Promise<T>) =>
    withDeadline(operation, promise, options.timeoutMs);
  const sealer = createPhoneSealer({
    redis,
    keyName: key.phoneKey,
    retentionMs: options.phoneRetentionMs,
    guard,
  });

  /**
   * The oldest `limit` matching events after `after`, read oldest first, listed newest first. One
   * event more is looked for, so that a page that reaches the newest says there is none newer.
   */
  async function listNewer(
    after: string,
    limit: number,
    filters: ThrottleEventFilters,
  ): Promise<ThrottleEventPage> {
    const events: ThrottleEvent[] = [];
    const end = filters.to !== undefined ? String(filters.to + CLOCK_SLACK_MS) : "+";
    let start = `(${after}`;
    let scanned = 0;
    let more = true;
    let lastId: string | null = null;
    while (more && events.length <= limit && scanned < MAX_SCANNED_PER_PAGE) {
      const batch = await guard(
        "read throttle events",
        redis.xrange(key.stream, start, end, SCAN_BATCH) as Promise<Record<string, { e: StoredEvent }>>,
      );
      const entries = Object.entries(batch);
      let read = 0;
      for (const [id, fields] of entries) {
        scanned += 1;
        read += 1;
        lastId = id;
        const event = toListedEvent({ ...fields.e, id });
        if (matchesFilters(event, filters)) events.push(event);
        if (events.length > limit) break;
      }
      // A short batch read to its end means nothing newer is left in the range.
      if (entries.length < SCAN_BATCH && read === entries.length) more = false;
      if (lastId !== null) start = `(${lastId}`;
    }
    const found = events.length > limit;
    if (found) events.pop();
    // Newer ones exist when one more was found, or perhaps when the scan stopped at its cap.
    const newerCursor = found ? events.at(-1)!.id : more ? lastId : null;
    events.reverse();
    return { events, nextCursor: events.at(-1)?.id ?? nextId(after), newerCursor };
  }

  /** The events with their time fixed and their numbers sealed: what `queueEvents` writes. */
  async function prepare(events: NewThrottleEvent[]): Promise<StoredEvent[]> {
    const timed = events.map((input) => ({ ...input, at: input.at ?? Date.now() }));
    const sealed = await sealer.seal(timed);
    return timed.map(({ phone, ...event }, index) => ({
      ...event,
      phoneMasked: phone ? maskForOperators(phone) : null,
      sealedPhone: sealed[index] ?? null,
    }));
  }

  /**
   * Queues every write of `events` on one pipeline, the events' append first (so reply 0 is the
   * last event's id). Each stream gets one command for the whole batch (`APPEND_SCRIPT`), and the
   * counters are summed per key first, so a batch from one attacker costs a handful of commands,
   * not a dozen per event.
   */
  function queueEvents(
    pipeline: ReturnType<UpstashRedis["pipeline"]>,
    events: StoredEvent[],
    outcomes: TrafficOutcome[] = [],
  ) {
    const hashes = new Map<string, { ttl: number; fields: Map<string, number> }>();
    const tops = new Map<string, Map<string, number>>();
    const hash = (name: string, ttl: number) =>
      (hashes.get(name) ?? hashes.set(name, { ttl, fields: new Map() }).get(name)!).fields;
    const top = (name: string) => tops.get(name) ?? tops.set(name, new Map()).get(name)!;
    const bump = (fields: Map<string, number>, field: string) =>
      fields.set(field, (fields.get(field) ?? 0) + 1);
    if (events.length > 0) {
      const entries = events.map((event) => JSON.stringify(event));
      pipeline.eval(APPEND_SCRIPT, [key.stream], [options.capacity, "e", ...entries]);
    }
    for (const event of events) {
      const { at } = event;
      bump(hash(key.minute(minuteStart(at)), MINUTE_TTL_SECONDS), countedAs(event));
      bump(hash(key.hour(hourStart(at)), HOUR_TTL_SECONDS), countedAs(event));
      // The top sources are of refusals only.
      for (const dimension of event.decision === "refused" || event.decision === "failed"
        ? TOP_DIMENSIONS
        : []) {
        const value = event[dimension];
        if (value) bump(top(key.top(dimension, hourStart(at))), value);
      }
    }
    for (const traffic of outcomes) {
      const minute = minuteStart(traffic.at);
      const hour = hourStart(traffic.at);
      bump(hash(key.minute(minute), MINUTE_TTL_SECONDS), `@${traffic.outcome}`);
      bump(hash(key.hour(hour), HOUR_TTL_SECONDS), `@${traffic.outcome}`);
      countOutcome(hash(key.countryMinute(minute), COUNTRY_MINUTES_KEPT_SECONDS), traffic);
      countOutcome(hash(key.countryHour(hour), HOUR_TTL_SECONDS), traffic);
    }
    if (outcomes.length > 0) {
      const records = outcomes.map((traffic) => JSON.stringify(toTrafficRecord(traffic)));
      pipeline.eval(APPEND_SCRIPT, [key.records], [recordsKept, "r", ...records]);
    }
    for (const [hour, ranges] of rangesOf(outcomes)) {
      pipeline.eval(
        COUNT_RANGES_SCRIPT,
        [key.rangeSends(hour), key.rangeVerified(hour)],
        [
          RANGES_KEPT_PER_HOUR,
          TOP_TTL_SECONDS,
          ...[...ranges].flatMap(([range, { sent, verified }]) => [range, sent, verified]),
        ],
      );
    }
    for (const [name, { ttl, fields }] of hashes) {
      for (const [field, by] of fields) pipeline.hincrby(name, field, by);
      pipeline.expire(name, ttl);
    }
    for (const [name, values] of tops) {
      pipeline.eval(
        COUNT_TOP_SOURCES_SCRIPT,
        [name],
        [TOP_KEPT_PER_HOUR, TOP_TTL_SECONDS, ...[...values].flat()],
      );
    }
  }

  return {
    async record(input) {
      const [stored] = await prepare([input]);
      const pipeline = redis.pipeline();
      queueEvents(pipeline, [stored!]);
      const [id] = await guard("record throttle event", pipeline.exec<[string, ...unknown[]]>());
      return toListedEvent({ ...stored!, id });
    },

    async recordMany(events, outcomes = []) {
      if (events.length === 0 && outcomes.length === 0) return;
      const stored = events.length > 0 ? await prepare(events) : [];
      const pipeline = redis.pipeline();
      queueEvents(pipeline, stored, outcomes);
      await guard("record throttle events", pipeline.exec());
    },

    async revealPhone(id) {
      const entries = await guard(
        "read throttle event",
        redis.xrange(key.stream, id, id, 1) as Promise<Record<string, { e: StoredEvent }>>,
      );
      const event = entries[id]?.e;
      if (!event) return null;
      if (!event.sealedPhone || event.at < Date.now() - options.phoneRetentionMs) return { phone: null };
      return { phone: await sealer.open(event.sealedPhone, event.at, event.requestId) };
    },

    async forgetPhone(phone) {
      // Only the events of the retention period can still be opened (and so hold the number):
      // older ones lost their hour's key (crypto-shredding). Read from there, a batch per round trip.
      if (options.phoneRetentionMs <= 0) return 0;
      const from = Date.now() - options.phoneRetentionMs - HOUR_MS - CLOCK_SLACK_MS;
      let start = String(Math.max(0, from));
      const prefix = phone.slice(0, -HIDDEN_DIGITS);
      let removed = 0;
      for (;;) {
        const batch = await guard(
          "read throttle events",
          redis.xrange(key.stream, start, "+", SCAN_BATCH) as Promise<
            Record<string, { e: StoredEvent | string }>
          >,
        );
        const entries = Object.entries(batch);
        const matching: string[] = [];
        for (const [id, fields] of entries) {
          const event = typeof fields.e === "string" ? (JSON.parse(fields.e) as StoredEvent) : fields.e;
          // The prefix is in clear: only events of the number's own prefix need opening.
          if (!event.sealedPhone || event.prefix !== prefix) continue;
          if ((await sealer.open(event.sealedPhone, event.at, event.requestId)) === phone) matching.push(id);
        }
        if (matching.length > 0)
          removed += await guard("forget throttle events", redis.xdel(key.stream, matching));
        if (entries.length < SCAN_BATCH) return removed;
        start = `(${entries.at(-1)![0]}`;
      }
    },

    async list({ cursor, after, limit, filters = {} }) {
      if (after) return listNewer(after, limit, filters);
      const events: ThrottleEvent[] = [];
      const start = filters.from !== undefined ? String(Math.max(0, filters.from - CLOCK_SLACK_MS)) : "-";
      let end = cursor ? `(${cursor}` : filters.to !== undefined ? String(filters.to + CLOCK_SLACK_MS) : "+";
      let scanned = 0;
      let more = true;
      let lastId: string | null = null;
      while (more && events.length < limit && scanned < MAX_SCANNED_PER_PAGE) {
        const batch = await guard(
          "read throttle events",
          redis.xrevrange(key.stream, end, start, SCAN_BATCH) as Promise<Record<string, { e: StoredEvent }>>,
        );
        const entries = Object.entries(batch);
        for (const [id, fields] of entries) {
          scanned += 1;
          lastId = id;
          const event = toListedEvent({ ...fields.e, id });
          if (matchesFilters(event, filters)) events.push(event);
          if (events.length === limit) break;
        }
        // A short batch read to its end means nothing older is left in the range.
        if (entries.length < SCAN_BATCH && lastId === (entries.at(-1)?.[0] ?? lastId)) more = false;
        if (lastId !== null) end = `(${lastId}`;
      }

      return {
        events,
        nextCursor: more ? lastId : null,
        newerCursor: cursor ? (events[0]?.id ?? null) : null,
      };
    },

    async traffic({ granularity, buckets, now = Date.now() }) {
      const starts = bucketStarts(granularity, buckets, now);
      const hours = [...new Set(starts.map(hourStart))];
      const pipeline = redis.pipeline();
      for (const start of starts)
        pipeline.hgetall(granularity === "minute" ? key.countryMinute(start) : key.countryHour(start));
      for (const hour of hours) {
        pipeline.zrange(key.rangeSends(hour), 0, RANGES_KEPT_PER_HOUR - 1, { rev: true, withScores: true });
        pipeline.hgetall(key.rangeVerified(hour));
      }
      const replies = await guard("read traffic aggregates", pipeline.exec<unknown[]>());
      const perHour: RangeCounts[] = hours.map((_, index) => {
        const flat = (replies[starts.length + 2 * index] as (string | number)[] | null) ?? [];
        const verified = (replies[starts.length + 2 * index + 1] as Record<string, number> | null) ?? {};
        const counts: RangeCounts = new Map();
        for (let at = 0; at + 1 < flat.length; at += 2) {
          const range = String(flat[at]);
          counts.set(range, { sent: Number(flat[at + 1]), verified: Number(verified[range] ?? 0) });
        }
        return counts;
      });
      return {
        granularity,
        buckets: starts.map((start, index) => ({
          start,
          countries: toCountries((replies[index] as Record<string, number> | null) ?? {}),
        })),
        ranges: topRanges(perHour, config.traffic.rangesShown.value),
      };
    },

    async trafficRecords({ from, limit }) {
      const found: TrafficRecord[] = [];
      let start = String(Math.max(0, from - CLOCK_SLACK_MS));
      while (found.length < limit) {
        const batch = await guard(
          "read traffic records",
          redis.xrange(key.records, start, "+", SCAN_BATCH) as Promise<
            Record<string, { r: TrafficRecord | string }>
          >,
        );
        const entries = Object.entries(batch);
        for (const [, fields] of entries) {
          const record = typeof fields.r === "string" ? (JSON.parse(fields.r) as TrafficRecord) : fields.r;
          if (record.at >= from) found.push(record);
          if (found.length === limit) break;
        }
        if (entries.length < SCAN_BATCH) break;
        start = `(${entries.at(-1)![0]}`;
      }
      return found;
    },

    async aggregate({ granularity, buckets, now = Date.now() }) {
      const starts = bucketStarts(granularity, buckets, now);
      const hours = [...new Set(starts.map(hourStart))];

      const pipeline = redis.pipeline();
      for (const start of starts)
        pipeline.hgetall(granularity === "minute" ? key.minute(start) : key.hour(start));
      for (const hour of hours) {
        for (const dimension of TOP_DIMENSIONS) {
          pipeline.zrange(key.top(dimension, hour), 0, TOP_KEPT_PER_HOUR - 1, {
            rev: true,
            withScores: true,
          });
        }
      }
      const replies = await guard("read throttle aggregates", pipeline.exec<unknown[]>());

      const bucketReplies = replies.slice(0, starts.length) as (Record<string, number> | null)[];
      const merged = Object.fromEntries(
        TOP_DIMENSIONS.map((dimension) => [dimension, new Map<string, number>()]),
      ) as Record<(typeof TOP_DIMENSIONS)[number], Map<string, number>>;
      let reply = starts.length;
      for (let hourIndex = 0; hourIndex < hours.length; hourIndex += 1) {
        for (const dimension of TOP_DIMENSIONS) {
          const flat = (replies[reply] as (string | number)[] | null) ?? [];
          reply += 1;
          for (let index = 0; index + 1 < flat.length; index += 2) {
            const value = String(flat[index]);
            merged[dimension].set(value, (merged[dimension].get(value) ?? 0) + Number(flat[index + 1]));
          }
        }
      }
      return {
        granularity,
        buckets: starts.map((start, index) => ({
          start,
          counts: Object.fromEntries(
            Object.entries(bucketReplies[index] ?? {}).map(([rule, count]) => [rule, Number(count)]),
          ),
        })),
        top: {
          ip: topEntries(merged.ip, TOP_SIZE),
          subnet: topEntries(merged.subnet, TOP_SIZE),
          prefix: topEntries(merged.prefix, TOP_SIZE),
          country: topEntries(merged.country, TOP_SIZE),
        },
      };
    },
  };
}
