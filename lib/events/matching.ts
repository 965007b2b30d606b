import type { ThrottleEvent, ThrottleEventFilters } from "./types";

/** Whether an event passes every given filter (shared by every backend). */
export function matchesFilters(event: ThrottleEvent, filters: ThrottleEventFilters): boolean {
  if (filters.rule && !matchesRule(event.rule, filters.rule)) return false;
  if (filters.route && event.route !== filters.route) return false;
  if (filters.from !== undefined && event.at < filters.from) return false;
  if (filters.to !== undefined && event.at > filters.to) return false;
  if (filters.ip && event.ip !== filters.ip && event.subnet !== filters.ip) return false;
  if (filters.country && event.country !== filters.country) return false;
  if (filters.prefix && !(event.prefix ?? "").startsWith(filters.prefix)) return false;
  return true;
}

/** `captcha.*` matches every rule that starts `captcha.`; anything else is one rule's name. */
export function matchesRule(rule: string, filter: string): boolean {
  return filter.endsWith(".*") ? rule.startsWith(filter.slice(0, -1)) : rule === filter;
}

export const minuteStart = (at: number) => Math.floor(at / 60_000) * 60_000;
export const hourStart = (at: number) => Math.floor(at / 3_600_000) * 3_600_000;

/** Sorts `counts` into the top entries, largest first. */
export function topEntries(counts: Map<string, number>, size: number): { value: string; count: number }[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, size)
    .map(([value, count]) => ({ value, count }));
}

/**
 * What a log may list of a stored event: the fields of `ThrottleEvent`, named one by one, so that
 * nothing stored only for the audited reveal (the number, sealed or not) can slip into a list.
 */
export function toListedEvent(event: ThrottleEvent): ThrottleEvent {
  const { id, at, route, rule, decision, ip, subnet, phoneMasked, country, prefix } = event;
  const { userAgent, retryAfterSeconds, requestId, evidence } = event;
  return {
    id,
    at,
    route,
    rule,
    decision,
    ip,
    subnet,
    phoneMasked,
    country,
    prefix,
    userAgent,
    retryAfterSeconds,
    ...(evidence ? { evidence } : {}),
    requestId,
  };
}

/**
 * The key an event is counted under in the per-minute and per-hour counts: its rule for a refusal,
 * `shadow:<rule>` for what a rule in shadow mode would have refused, `auto_block:<rule>` for an
 * automatic block beginning — so neither is counted as a refusal.
 */
export function countedAs(event: Pick<ThrottleEvent, "rule" | "decision">): string {
  return event.decision === "shadow" || event.decision === "auto_block"
    ? `${event.decision}:${event.rule}`
    : event.rule;
}

/** The starts of the last `buckets` minutes or hours up to `now`, oldest first, empty ones included. */
export function bucketStarts(granularity: "minute" | "hour", buckets: number, now: number): number[] {
  const step = granularity === "minute" ? 60_000 : 3_600_000;
  const newest = granularity === "minute" ? minuteStart(now) : hourStart(now);
  return Array.from({ length: buckets }, (_, index) => newest - (buckets - 1 - index) * step);
}

/** The smallest id after `id`: a cursor that starts a search at `id` itself. */
export function nextId(id: string): string {
  const [ms = "0", seq = "0"] = id.split("-");
  return `${ms}-${Number(seq) + 1}`;
}
