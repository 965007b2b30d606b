/**
 * The top sources of each hour (addresses, networks, prefixes, countries), kept with the
 * Space-Saving algorithm (Metwally, Agrawal, El Abbadi, "Efficient Computation of Frequent and
 * Top-k Elements in Data Streams", ICDT 2005): at most `capacity` counters; a value not yet
 * counted that arrives when all are taken replaces the smallest and inherits its count. Memory is
 * fixed, every value seen more than total ÷ capacity times is kept, and no count is below the
 * truth (one that inherited is high by at most what it inherited). So refusals nobody paid for
 * cannot grow the sets, and a flood of distinct values cannot push a real heavy source out of
 * them — a plain "trim to the top N" would drop a steady source each time it re-enters at 1.
 *
 * Hand-written because nothing maintained does this where we store it: RedisBloom's TOPK is a
 * module that neither open-source Redis nor Upstash ships.
 */

/** Adds `by` to `value` in `counts`, holding at most `capacity` entries (the in-process log). */
export function countTopSource(counts: Map<string, number>, value: string, by: number, capacity: number) {
  const current = counts.get(value);
  if (current !== undefined || counts.size < capacity) {
    counts.set(value, (current ?? 0) + by);
    return;
  }
  let smallest: string | undefined;
  let smallestCount = Infinity;
  for (const [candidate, count] of counts) {
    if (count < smallestCount) [smallest, smallestCount] = [candidate, count];
  }
  counts.delete(smallest!);
  counts.set(value, smallestCount + by);
}

/**
 * The same on a Redis sorted set, in one script so that concurrent instances cannot interleave:
 * KEYS[1] the set; ARGV capacity, TTL in seconds, then value/increment pairs.
 */
export const COUNT_TOP_SOURCES_SCRIPT = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
for index = 3, #ARGV, 2 do
  local value, by = ARGV[index], tonumber(ARGV[index + 1])
  if redis.call('ZSCORE', key, value) or redis.call('ZCARD', key) < capacity then
    redis.call('ZINCRBY', key, by, value)
  else
    local smallest = redis.call('ZPOPMIN', key)
    redis.call('ZADD', key, tonumber(smallest[2]) + by, value)
  end
end
redis.call('EXPIRE', key, ARGV[2])
return 0
`;
