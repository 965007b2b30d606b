import { config } from "@/lib/config";
import { maskForOperators } from "./masking";
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
import { countTopSource } from "./top-sources";
import {
  COUNTRY_MINUTES_KEPT_SECONDS,
  countOutcome,
  countRange,
  RANGES_KEPT_PER_HOUR,
  toCountries,
  topRanges,
  toTrafficRecord,
  TRAFFIC_RECORDS_KEPT,
  type RangeCounts,
} from "./traffic";
import {
  MAX_SCANNED_PER_PAGE,
  TOP_DIMENSIONS,
  TOP_KEPT_PER_HOUR,
  TOP_SIZE,
  type StoredThrottleEvent,
  type ThrottleEvent,
  type ThrottleEventLog,
  type TrafficRecord,
} from "./types";

const MINUTE_BUCKETS_KEPT = config.events.minuteCountsKept.value / 60;
const HOUR_BUCKETS_KEPT = config.events.hourCountsKept.value / 3600;

/**
 * The in-process log: a ring buffer of the newest `capacity` events, with per-minute and per-hour
 * counts and top offenders maintained as events are written, so reading them never scans. Every
 * structure is bounded: the ring by `capacity`, the counts by the rule names and the buckets kept,
 * each hour's top offenders by `TOP_KEPT_PER_HOUR` per dimension; the traffic counts by the
 * countries and buckets kept and `RANGES_KEPT_PER_HOUR` ranges an hour, the traffic records by
 * `trafficRecords` (./traffic.ts).
 */
export function createMemoryThrottleLog(options: {
  capacity: number;
  phoneRetentionMs: number;
  trafficRecords?: number;
}): ThrottleEventLog {
  const ring: (StoredThrottleEvent | undefined)[] = new Array(options.capacity);
  let written = 0; // total events ever written; the newest is at (written - 1) % capacity
  let lastMs = 0;
  let sequence = 0;
  const perMinute = new Map<number, Map<string, number>>();
  const perHour = new Map<number, Map<string, number>>();
  const topPerHour = new Map<number, Record<(typeof TOP_DIMENSIONS)[number], Map<string, number>>>();
  const countriesPerMinute = new Map<number, Map<string, number>>();
  const countriesPerHour = new Map<number, Map<string, number>>();
  const rangesPerHour = new Map<number, RangeCounts>();
  const recordsKept = options.trafficRecords ?? TRAFFIC_RECORDS_KEPT;
  const records: (TrafficRecord | undefined)[] = new Array(recordsKept);
  let recordsWritten = 0;

  const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const prune = <V>(buckets: Map<number, V>, keepFrom: number) => {
    for (const start of buckets.keys()) if (start < keepFrom) buckets.delete(start);
  };

  const idAt = (index: number) => ring[index % options.capacity]!.id;
  /** Binary search: the newest position whose id is older than `cursor` (ids increase with position). */
  const lastIndexBefore = (cursor: string, low: number, high: number): number => {
    let answer = low - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (compareIds(idAt(middle), cursor) < 0) {
        answer = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return answer;
  };

  const log: ThrottleEventLog = {
    async recordMany(events, outcomes = []) {
      for (const event of events) await log.record(event);
      for (const traffic of outcomes) {
        const minute = minuteStart(traffic.at);
        const hour = hourStart(traffic.at);
        bump(perMinute.get(minute) ?? perMinute.set(minute, new Map()).get(minute)!, `@${traffic.outcome}`);
        bump(perHour.get(hour) ?? perHour.set(hour, new Map()).get(hour)!, `@${traffic.outcome}`);
        if (!countriesPerMinute.has(minute))
          prune(countriesPerMinute, minute - COUNTRY_MINUTES_KEPT_SECONDS * 1000);
        if (!countriesPerHour.has(hour)) {
          prune(countriesPerHour, hour - HOUR_BUCKETS_KEPT * 3_600_000);
          prune(rangesPerHour, hour - config.events.topSourcesKept.value * 1000);
        }
        countOutcome(
          countriesPerMinute.get(minute) ?? countriesPerMinute.set(minute, new Map()).get(minute)!,
          traffic,
        );
        countOutcome(countriesPerHour.get(hour) ?? countriesPerHour.set(hour, new Map()).get(hour)!, traffic);
        const sent = traffic.outcome === "sent" ? 1 : 0;
        const ranges = rangesPerHour.get(hour) ?? rangesPerHour.set(hour, new Map()).get(hour)!;
        countRange(ranges, traffic.range, sent, 1 - sent, RANGES_KEPT_PER_HOUR);
        records[recordsWritten % recordsKept] = toTrafficRecord(traffic);
        recordsWritten += 1;
      }
    },

    async traffic({ granularity, buckets, now = Date.now() }) {
      const source = granularity === "minute" ? countriesPerMinute : countriesPerHour;
      const starts = bucketStarts(granularity, buckets, now);
      const from = starts[0]!;
      const result = [];
      for (const start of starts) {
        result.push({ start, countries: toCountries(Object.fromEntries(source.get(start) ?? [])) });
      }
      const hours = [...rangesPerHour]
        .filter(([hour]) => hour + 3_600_000 > from)
        .map(([, counts]) => counts);
      return { granularity, buckets: result, ranges: topRanges(hours, config.traffic.rangesShown.value) };
    },

    async trafficRecords({ from, limit }) {
      const found: TrafficRecord[] = [];
      for (let index = Math.max(0, recordsWritten - recordsKept); index < recordsWritten; index += 1) {
        const record = records[index % recordsKept]!;
        if (record.at < from) continue;
        found.push(record);
        if (found.length === limit) break;
      }
      return found;
    },

    async record(input) {
      const at = input.at ?? Date.now();
      // Ids increase with position, as Redis stream ids do, even when `at` goes back in time.
      const idMs = Math.max(lastMs, at);
      sequence = idMs === lastMs ? sequence + 1 : 0;
      lastMs = idMs;
      const event: StoredThrottleEvent = {
        ...input,
        id: `${idMs}-${sequence}`,
        at,
        phoneMasked: input.phone ? maskForOperators(input.phone) : null,
      };
      ring[written % options.capacity] = event;
      written += 1;

      const minute = minuteStart(at);
      const hour = hourStart(at);
      if (!perMinute.has(minute)) prune(perMinute, minute - MINUTE_BUCKETS_KEPT * 60_000);
      if (!perHour.has(hour)) {
        prune(perHour, hour - HOUR_BUCKETS_KEPT * 3_600_000);
        prune(topPerHour, hour - config.events.topSourcesKept.value * 1000);
      }
      bump(perMinute.get(minute) ?? perMinute.set(minute, new Map()).get(minute)!, countedAs(event));
      bump(perHour.get(hour) ?? perHour.set(hour, new Map()).get(hour)!, countedAs(event));
      let top = topPerHour.get(hour);
      if (!top) {
        top = { ip: new Map(), subnet: new Map(), prefix: new Map(), country: new Map() };
        topPerHour.set(hour, top);
      }
      // The top sources are of refusals only.
      for (const dimension of event.decision === "refused" || event.decision === "failed"
        ? TOP_DIMENSIONS
        : []) {
        const value = event[dimension];
        if (value) countTopSource(top[dimension], value, 1, TOP_KEPT_PER_HOUR);
      }
      return toListedEvent(event);
    },

    async revealPhone(id) {
      const oldest = Math.max(0, written - options.capacity);
      if (written === 0) return null;
      const index = lastIndexBefore(nextId(id), oldest, written - 1);
      const event = index >= oldest ? ring[index % options.capacity] : undefined;
      if (!event || event.id !== id) return null;
      return { phone: event.at < Date.now() - options.phoneRetentionMs ? null : event.phone };
    },

    async forgetPhone(phone) {
      // Every event the ring holds: in memory the number is kept as given, past its retention too.
      const oldest = Math.max(0, written - options.capacity);
      const kept: StoredThrottleEvent[] = [];
      for (let index = oldest; index < written; index += 1) {
        const event = ring[index % options.capacity]!;
        if (event.phone !== phone) kept.push(event);
      }
      const removed = written - oldest - kept.length;
      if (removed === 0) return 0;
      // Rewritten in order, oldest first: ids still increase with position, as searches expect.
      ring.fill(undefined);
      kept.forEach((event, index) => (ring[index] = event));
      written = kept.length;
      return removed;
    },

    async list({ cursor, after, limit, filters = {} }) {
      const events: ThrottleEvent[] = [];
      const oldest = Math.max(0, written - options.capacity);
      let scanned = 0;
      if (after) {
        // Oldest first from just after `after`, then turned round: the page just newer than it. One
        // event more is looked for, so that a page that reaches the newest says there is none newer.
        let index = Math.max(oldest, lastIndexBefore(nextId(after), oldest, written - 1) + 1);
        for (; index < written && events.length <= limit && scanned < MAX_SCANNED_PER_PAGE; index += 1) {
          const event = ring[index % options.capacity]!;
          scanned += 1;
          if (matchesFilters(event, filters)) events.push(toListedEvent(event));
        }
        const found = events.length > limit;
        if (found) events.pop();
        // Newer ones exist when one more was found, or perhaps when the scan stopped at its cap.
        const newerCursor = found
          ? events.at(-1)!.id
          : index < written
            ? ring[(index - 1) % options.capacity]!.id
            : null;
        events.reverse();
        return { events, nextCursor: events.at(-1)?.id ?? nextId(after), newerCursor };
      }
      let index = written - 1;
      if (cursor) index = lastIndexBefore(cursor, oldest, written - 1);
      for (; index >= oldest && events.length < limit && scanned < MAX_SCANNED_PER_PAGE; index -= 1) {
        const event = ring[index % options.capacity]!;
        scanned += 1;
        if (matchesFilters(event, filters)) events.push(toListedEvent(event));
      }
      const lastScanned = index + 1;
      const more = index >= oldest;
      return {
        events,
        nextCursor: more ? ring[lastScanned % options.capacity]!.id : null,
        newerCursor: cursor ? (events[0]?.id ?? null) : null,
      };
    },

    async aggregate({ granularity, buckets, now = Date.now() }) {
      const source = granularity === "minute" ? perMinute : perHour;
      const starts = bucketStarts(granularity, buckets, now);
      const from = starts[0]!;
      const result = [];
      for (const start of starts) {
        result.push({ start, counts: Object.fromEntries(source.get(start) ?? []) });
      }
      const merged = {
        ip: new Map<string, number>(),
        subnet: new Map(),
        prefix: new Map(),
        country: new Map(),
      };
      for (const [hour, top] of topPerHour) {
        if (hour + 3_600_000 <= from) continue;
        for (const dimension of TOP_DIMENSIONS) {
          for (const [value, count] of top[dimension])
            merged[dimension].set(value, (merged[dimension].get(value) ?? 0) + count);
        }
      }
      return {
        granularity,
        buckets: result,
        top: {
          ip: topEntries(merged.ip, TOP_SIZE),
          subnet: topEntries(merged.subnet, TOP_SIZE),
          prefix: topEntries(merged.prefix, TOP_SIZE),
          country: topEntries(merged.country, TOP_SIZE),
        },
      };
    },
  };
  return log;
}

/** Orders `<ms>-<seq>` ids numerically. */
export function compareIds(a: string, b: string): number {
  const [aMs = "0", aSeq = "0"] = a.split("-");
  const [bMs = "0", bSeq = "0"] = b.split("-");
  return Number(aMs) - Number(bMs) || Number(aSeq) - Number(bSeq);
}
