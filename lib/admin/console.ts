import "server-only";
import { requireAdminForApi } from "./access";
import { recordAdminAction } from "./audit";
import { config } from "@/lib/config";
import { isAttackModeOn } from "@/lib/defenses/captcha";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { parseIpRange } from "@/lib/client-ip/ip-address";
import { getBackend } from "@/lib/store";
import {
  getThrottleEventLog,
  type ThrottleAggregates,
  type ThrottleEventFilters,
  type ThrottleEventPage,
} from "@/lib/events";
import {
  eventQuerySchema,
  parseFilterTime,
  type EventQuery,
  type OverviewResponse,
  type TrafficTotals,
} from "@/lib/api/admin";

/**
 * The admin console's data. Every function checks that the caller is an admin itself, so no page
 * or endpoint can forget to (CVE-2025-29927: checks in a layout or proxy alone can be skipped).
 */

export const MAX_PAGE_SIZE = config.admin.maxPageSize.value;

export function parseEventQuery(params: URLSearchParams): EventQuery {
  const result = eventQuerySchema.safeParse(Object.fromEntries(params));
  if (!result.success) {
    const fields = Object.fromEntries(
      result.error.issues.map((issue) => [issue.path.join("."), issue.message]),
    );
    throw new AppError("bad_request", Object.values(fields)[0] ?? "Invalid query.", { fields });
  }
  return result.data;
}

/** The log's filters of a parsed query (times are checked by the schema, so they parse here). */
function toFilters(query: EventQuery): ThrottleEventFilters {
  const ip = query.ip;
  if (ip?.includes("/") && !parseIpRange(ip)) {
    const message = "Address or network is an address or a network such as 203.0.113.0/24.";
    throw new AppError("bad_request", message, { fields: { ip: message } });
  }
  return {
    rule: query.rule,
    route: query.route,
    from: query.from ? parseFilterTime(query.from) : undefined,
    to: query.to ? parseFilterTime(query.to, true) : undefined,
    ip: ip?.toLowerCase(),
    country: query.country?.toUpperCase(),
    prefix: query.prefix,
  };
}

/**
 * Events newest first; `limit` is clamped to 1–200. Numbers come without their last four digits
 * (the log never lists a full number), the same digits as the prefix column.
 */
export async function listThrottleEvents(query: EventQuery): Promise<ThrottleEventPage> {
  await requireAdminForApi();
  const limit = Math.min(MAX_PAGE_SIZE, query.limit ?? config.admin.pageSize.value);
  return getThrottleEventLog().list({
    cursor: query.cursor,
    after: query.after,
    limit,
    filters: toFilters(query),
  });
}

/**
 * The full number of one event, while retention lasts: the only way to see a number's last
 * digits, and written to the audit log before it is returned.
 */
export async function revealEventPhone(id: string): Promise<string | null> {
  const session = await requireAdminForApi();
  if (!/^\d{1,16}-\d{1,10}$/.test(id)) throw new AppError("bad_request", "Unknown event id.");
  const found = await getThrottleEventLog().revealPhone(id);
  if (!found) throw new AppError("not_found", "No such event.");
  await recordAdminAction(session, { action: "reveal phone", target: `event ${id}` });
  return found.phone;
}

const CSV_COLUMNS = [
  "id",
  "time",
  "route",
  "rule",
  "decision",
  "ip",
  "subnet",
  "phone",
  "country",
  "prefix",
  "userAgent",
  "retryAfterSeconds",
  "requestId",
] as const;
const EXPORT_LIMIT = config.admin.exportRows.value;

/**
 * The filtered events as CSV for a spreadsheet: UTF-8 with a byte-order mark (without it Excel
 * reads UTF-8 as the local code page, and the masked digits `••••` turn into mojibake), CRLF lines,
 * every cell quoted. Numbers as the list shows them (no last four digits).
 */
export async function exportThrottleEventsCsv(query: EventQuery): Promise<string> {
  await requireAdminForApi();
  const filters = toFilters(query);
  const lines = [CSV_COLUMNS.join(",")];
  let cursor = query.cursor;
  while (lines.length <= EXPORT_LIMIT) {
    const page = await getThrottleEventLog().list({ cursor, limit: MAX_PAGE_SIZE, filters });
    for (const event of page.events) {
      const row = {
        ...event,
        time: new Date(event.at).toISOString(),
        phone: event.phoneMasked,
      };
      lines.push(CSV_COLUMNS.map((column) => csvCell(row[column as keyof typeof row])).join(","));
    }
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

/**
 * A phone number, prefix or masked number as the log writes them (`+6581234`, `+65 8123••••`):
 * a sign, digits, spaces and mask dots hold no formula, so they need no guard.
 */
const PHONE_LIKE = /^\+[\d ]+•*$/;

/**
 * One quoted CSV cell. A cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`,
 * `@`, tab or CR; attacker text such as a user agent can) gets a leading `'`, so it is shown as
 * text (OWASP "CSV Injection"); our own phone-like values keep their `+` and no stray `'`.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !PHONE_LIKE.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

export async function getOverview(): Promise<OverviewResponse> {
  await requireAdminForApi();
  const backend = getBackend();
  const [minutes, hours, attackMode, reachable] = await Promise.all([
    getThrottleEventLog().aggregate({ granularity: "minute", buckets: 60 }),
    getThrottleEventLog().aggregate({ granularity: "hour", buckets: 24 }),
    isAttackModeOn().catch(() => false),
    backend.ping().then(
      () => true,
      () => false,
    ),
  ]);
  return {
    lastHour: totals(minutes),
    lastDay: totals(hours),
    minutes,
    hours,
    attackMode,
    store: { kind: backend.kind, description: backend.description, reachable },
    sandbox: getEnv().otpProvider === "sandbox",
  };
}

function totals(aggregates: ThrottleAggregates): TrafficTotals {
  let sent = 0;
  let verified = 0;
  let refused = 0;
  for (const bucket of aggregates.buckets) {
    for (const [rule, count] of Object.entries(bucket.counts)) {
      if (rule === "@sent") sent += count;
      else if (rule === "@verified") verified += count;
      else if (!rule.includes(":")) refused += count;
    }
  }
  return { sent, verified, refused, conversionRate: sent > 0 ? verified / sent : null };
}
