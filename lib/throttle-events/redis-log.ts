import type { Redis as UpstashRedis } from "@upstash/redis";
import { withDeadline } from "../store/deadline";
import { maskPhone } from "../phone";
import { hourStart, matchesFilters, minuteStart, topEntries } from "./matching";
import {
  type NewThrottleEvent,
  MAX_SCANNED_PER_PAGE,
  TOP_DIMENSIONS,
  TOP_SIZE,
  type ThrottleEvent,
  type ThrottleEventLog,
} from "./types";

const MINUTE_TTL_SECONDS = 48 * 3600;
const HOUR_TTL_SECONDS = 35 * 24 * 3600;
const TOP_TTL_SECONDS = 8 * 24 * 3600;
/** Each hour keeps its full counts; a query merges each hour's top entries. */
const TOP_READ_PER_HOUR = 100;
const SCAN_BATCH = 500;
/**
 * Stream ids are Redis's clock at insertion, `at` is the app's clock at refusal (recording runs
 * after the response): time filters read the id range widened by this much, then filter on `at`.
 */
const CLOCK_SLACK_MS = 60_000;

/**
 * The log on Redis. Owns every `te:` key:
 * - `te:stream` — a Stream capped at `capacity` entries (XADD MAXLEN ~), one JSON field per event;
 * - `te:phone:<requestId>` — the full number, expiring after the retention period (the stream
 *   keeps only the masked form);
 * - `te:m:<minute>` / `te:h:<hour>` — hashes of counts per rule, expiring;
 * - `te:top:<dimension>:<hour>` — sorted sets of counts per IP, subnet, prefix and country.
 * All of an event's writes go in one pipeline: one round trip.
 */
export function createRedisThrottleLog(options: {
  redis: UpstashRedis;
  keyPrefix: string;
  capacity: number;
  phoneRetentionMs: number;
  timeoutMs: number;
}): ThrottleEventLog {
  const { redis, keyPrefix } = options;
  const key = {
    stream: `${keyPrefix}te:stream`,
    phone: (requestId: string) => `${keyPrefix}te:phone:${requestId}`,
    minute: (start: number) => `${keyPrefix}te:m:${start}`,
    hour: (start: number) => `${keyPrefix}te:h:${start}`,
    top: (dimension: string, start: number) => `${keyPrefix}te:top:${dimension}:${start}`,
  };
  const guard = <T>(operation: string, promise: Promise<T>) =>
    withDeadline(operation, promise, options.timeoutMs);

  /** The event itself (masked) in the stream, and its full number under a key that expires. */
  function appendToStream(
    pipeline: ReturnType<UpstashRedis["pipeline"]>,
    input: NewThrottleEvent,
    at: number,
  ) {
    const stored = { ...input, at, phone: null, phoneMasked: input.phone ? maskPhone(input.phone) : null };
    pipeline.xadd(
      key.stream,
      "*",
      { e: JSON.stringify(stored) },
      { trim: { type: "MAXLEN", threshold: options.capacity, comparison: "~" } },
    );
    if (input.phone) {
      pipeline.set(key.phone(input.requestId), input.phone, {
        px: Math.max(1, options.phoneRetentionMs - (Date.now() - at)),
      });
    }
    return stored;
  }

  /** Queues every write of one event on `pipeline`; the XADD's reply is the event's id. */
  function queueEvent(pipeline: ReturnType<UpstashRedis["pipeline"]>, input: NewThrottleEvent) {
    const at = input.at ?? Date.now();
    const stored = appendToStream(pipeline, input, at);
    const minute = key.minute(minuteStart(at));
    const hour = key.hour(hourStart(at));
    pipeline.hincrby(minute, input.rule, 1).expire(minute, MINUTE_TTL_SECONDS);
    pipeline.hincrby(hour, input.rule, 1).expire(hour, HOUR_TTL_SECONDS);
    for (const dimension of TOP_DIMENSIONS) {
      const value = input[dimension];
      if (!value) continue;
      const top = key.top(dimension, hourStart(at));
      pipeline.zincrby(top, 1, value).expire(top, TOP_TTL_SECONDS);
    }
    return stored;
  }

  return {
    async record(input) {
      const pipeline = redis.pipeline();
      const stored = queueEvent(pipeline, input);
      const [id] = await guard("record throttle event", pipeline.exec<[string, ...unknown[]]>());
      return { ...stored, id, phone: input.phone };
    },

    async recordMany(events) {
      if (events.length === 0) return;
      // One XADD per event; the counters are summed per key first, so a batch from one attacker
      // costs a handful of increments, not a dozen commands per event.
      const pipeline = redis.pipeline();
      const increments = new Map<
        string,
        { key: string; field: string; by: number; ttl: number; sorted: boolean }
      >();
      const add = (key: string, field: string, ttl: number, sorted: boolean) => {
        const id = `${key}\u0000${field}`;
        const entry = increments.get(id);
        if (entry) entry.by += 1;
        else increments.set(id, { key, field, by: 1, ttl, sorted });
      };
      for (const input of events) {
        const at = input.at ?? Date.now();
        appendToStream(pipeline, input, at);
        add(key.minute(minuteStart(at)), input.rule, MINUTE_TTL_SECONDS, false);
        add(key.hour(hourStart(at)), input.rule, HOUR_TTL_SECONDS, false);
        for (const dimension of TOP_DIMENSIONS) {
          const value = input[dimension];
          if (value) add(key.top(dimension, hourStart(at)), value, TOP_TTL_SECONDS, true);
        }
      }
      const expiring = new Map<string, number>();
      for (const { key: target, field, by, ttl, sorted } of increments.values()) {
        if (sorted) pipeline.zincrby(target, by, field);
        else pipeline.hincrby(target, field, by);
        expiring.set(target, ttl);
      }
      for (const [target, ttl] of expiring) pipeline.expire(target, ttl);
      await guard("record throttle events", pipeline.exec());
    },

    async noteOutcome(outcome, at = Date.now()) {
      const minute = key.minute(minuteStart(at));
      const hour = key.hour(hourStart(at));
      const pipeline = redis.pipeline();
      pipeline.hincrby(minute, `@${outcome}`, 1).expire(minute, MINUTE_TTL_SECONDS);
      pipeline.hincrby(hour, `@${outcome}`, 1).expire(hour, HOUR_TTL_SECONDS);
      await guard("count traffic", pipeline.exec());
    },

    async list({ cursor, limit, filters = {} }) {
      const events: ThrottleEvent[] = [];
      const start = filters.from !== undefined ? String(Math.max(0, filters.from - CLOCK_SLACK_MS)) : "-";
      let end = cursor ? `(${cursor}` : filters.to !== undefined ? String(filters.to + CLOCK_SLACK_MS) : "+";
      let scanned = 0;
      let more = true;
      let lastId: string | null = null;
      while (more && events.length < limit && scanned < MAX_SCANNED_PER_PAGE) {
        const batch = await guard(
          "read throttle events",
          redis.xrevrange(key.stream, end, start, SCAN_BATCH) as Promise<
            Record<string, { e: ThrottleEvent }>
          >,
        );
        const entries = Object.entries(batch);
        for (const [id, fields] of entries) {
          scanned += 1;
          lastId = id;
          const event = { ...fields.e, id };
          if (matchesFilters(event, filters)) events.push(event);
          if (events.length === limit) break;
        }
        // A short batch read to its end means nothing older is left in the range.
        if (entries.length < SCAN_BATCH && lastId === (entries.at(-1)?.[0] ?? lastId)) more = false;
        if (lastId !== null) end = `(${lastId}`;
      }

      // Full numbers only while their retention lasts: the keys expire on their own.
      const withPhones = events.filter((event) => event.phoneMasked);
      if (withPhones.length > 0) {
        const phones = await guard(
          "read throttle phones",
          redis.mget<(string | number | null)[]>(...withPhones.map((event) => key.phone(event.requestId))),
        );
        withPhones.forEach((event, index) => {
          const phone = phones[index];
          event.phone = phone === null || phone === undefined ? null : `+${String(phone).replace(/^\+/, "")}`;
        });
      }
      return { events, nextCursor: more ? lastId : null };
    },

    async aggregate({ granularity, buckets, now = Date.now() }) {
      const step = granularity === "minute" ? 60_000 : 3_600_000;
      const newest = granularity === "minute" ? minuteStart(now) : hourStart(now);
      const starts = Array.from({ length: buckets }, (_, index) => newest - (buckets - 1 - index) * step);
      const hours = [...new Set(starts.map(hourStart))];

      const pipeline = redis.pipeline();
      for (const start of starts)
        pipeline.hgetall(granularity === "minute" ? key.minute(start) : key.hour(start));
      for (const hour of hours) {
        for (const dimension of TOP_DIMENSIONS) {
          pipeline.zrange(key.top(dimension, hour), 0, TOP_READ_PER_HOUR - 1, {
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
