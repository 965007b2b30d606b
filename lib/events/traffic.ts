import { config } from "@/lib/config";
import type { CountryTraffic, TrafficOutcome, TrafficRecord } from "./types";

/**
 * The traffic counts both logs keep beside the throttle events, with one contract: per minute and
 * per hour, codes sent, codes verified and estimated spend per destination country (bounded: a
 * country is one of ~250 ISO codes, never attacker text); per hour, the number ranges with the
 * most sends (any range can be new, so a capped Space-Saving set, as `top-sources.ts`); and the
 * capped stream of records a backtest replays.
 */

export const COUNTRY_MINUTES_KEPT_SECONDS = config.traffic.countryMinutesKept.value;
export const RANGES_KEPT_PER_HOUR = config.traffic.rangesKeptPerHour.value;
export const TRAFFIC_RECORDS_KEPT = config.backtest.recordsKept.value;

/** How a send to no known country is counted. */
export const UNKNOWN_COUNTRY = "??";

/** The field a country's sends (`s`), verified codes (`v`) or spend (`m`, mills) are counted in. */
export const countryField = (country: string | null, what: "s" | "v" | "m") =>
  `${country ?? UNKNOWN_COUNTRY}:${what}`;

/** Adds one outcome to a bucket's country fields (summed per field before anything is written). */
export function countOutcome(fields: Map<string, number>, outcome: TrafficOutcome): void {
  const add = (field: string, by: number) => fields.set(field, (fields.get(field) ?? 0) + by);
  if (outcome.outcome === "sent") {
    add(countryField(outcome.country, "s"), 1);
    if (outcome.priceMills > 0) add(countryField(outcome.country, "m"), outcome.priceMills);
  } else add(countryField(outcome.country, "v"), 1);
}

/** Reads a bucket's country fields back into per-country counts. */
export function toCountries(fields: Record<string, number | string>): Record<string, CountryTraffic> {
  const countries: Record<string, CountryTraffic> = {};
  for (const [field, value] of Object.entries(fields)) {
    const [country, what] = field.split(":") as [string, string];
    const counts = (countries[country] ??= { sent: 0, verified: 0, spendMills: 0 });
    if (what === "s") counts.sent += Number(value);
    else if (what === "v") counts.verified += Number(value);
    else if (what === "m") counts.spendMills += Number(value);
  }
  return countries;
}

/** The record a backtest keeps of an outcome: a verified code needs only its send and its time. */
export function toTrafficRecord(outcome: TrafficOutcome): TrafficRecord {
  if (outcome.outcome === "verified")
    return { outcome: "verified", at: outcome.at, pendingId: outcome.pendingId };
  return { ...outcome, outcome: "sent" };
}

export type RangeCounts = Map<string, { sent: number; verified: number }>;

/**
 * Space-Saving by sends, carrying verified codes (the in-process log): a range already counted,
 * or one arriving while there is room, adds to its counts; a new range with sends, when the set is
 * full, replaces the one with the fewest sends, inherits its sends and starts its verified codes
 * from zero. A verified code of a range with no room is dropped: it cannot displace a sender.
 */
export function countRange(
  counts: RangeCounts,
  range: string,
  sent: number,
  verified: number,
  capacity: number,
) {
  const current = counts.get(range);
  if (current || counts.size < capacity) {
    counts.set(range, { sent: (current?.sent ?? 0) + sent, verified: (current?.verified ?? 0) + verified });
    return;
  }
  if (sent === 0) return;
  let smallest: string | undefined;
  let smallestSent = Infinity;
  for (const [candidate, count] of counts) {
    if (count.sent < smallestSent) [smallest, smallestSent] = [candidate, count.sent];
  }
  counts.delete(smallest!);
  counts.set(range, { sent: smallestSent + sent, verified });
}

/**
 * The same on Redis, in one script so that concurrent instances cannot interleave: KEYS[1] the
 * hour's sends per range (a sorted set), KEYS[2] its verified codes per range (a hash holding only
 * members of the set); ARGV capacity, TTL in seconds, then range/sent/verified triples.
 */
export const COUNT_RANGES_SCRIPT = `
local sends, verified = KEYS[1], KEYS[2]
local capacity = tonumber(ARGV[1])
for index = 3, #ARGV, 3 do
  local range, sent, codes = ARGV[index], tonumber(ARGV[index + 1]), tonumber(ARGV[index + 2])
  if redis.call('ZSCORE', sends, range) or redis.call('ZCARD', sends) < capacity then
    redis.call('ZINCRBY', sends, sent, range)
    if codes > 0 then redis.call('HINCRBY', verified, range, codes) end
  elseif sent > 0 then
    local smallest = redis.call('ZPOPMIN', sends)
    redis.call('HDEL', verified, smallest[1])
    redis.call('ZADD', sends, tonumber(smallest[2]) + sent, range)
    if codes > 0 then redis.call('HSET', verified, range, codes) end
  end
end
redis.call('EXPIRE', sends, ARGV[2])
redis.call('EXPIRE', verified, ARGV[2])
return 0
`;

/** Sums per-hour range counts and keeps the `size` with the most sends, most first. */
export function topRanges(
  hours: RangeCounts[],
  size: number,
): { range: string; sent: number; verified: number }[] {
  const merged: RangeCounts = new Map();
  for (const hour of hours) {
    for (const [range, { sent, verified }] of hour) {
      const total = merged.get(range) ?? { sent: 0, verified: 0 };
      merged.set(range, { sent: total.sent + sent, verified: total.verified + verified });
    }
  }
  return [...merged]
    .sort((a, b) => b[1].sent - a[1].sent || a[0].localeCompare(b[0]))
    .slice(0, size)
    .map(([range, counts]) => ({ range, ...counts }));
}

/** Ranges of a batch of outcomes, summed: one script argument triple per range. */
export function rangesOf(outcomes: TrafficOutcome[]): Map<number, RangeCounts> {
  const perHour = new Map<number, RangeCounts>();
  for (const outcome of outcomes) {
    const hour = Math.floor(outcome.at / 3_600_000) * 3_600_000;
    const ranges = perHour.get(hour) ?? perHour.set(hour, new Map()).get(hour)!;
    const counts = ranges.get(outcome.range) ?? { sent: 0, verified: 0 };
    if (outcome.outcome === "sent") counts.sent += 1;
    else counts.verified += 1;
    ranges.set(outcome.range, counts);
  }
  return perHour;
}
