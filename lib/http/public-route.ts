import "server-only";
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { NextRequest, type NextResponse } from "next/server";
import { resolveRequestClientIp } from "@/lib/client-ip/request";
import { deriveIpKeys, type IpRateLimitKeys } from "@/lib/client-ip/strategies";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { recordThrottleEvent } from "@/lib/events";
import { pickLocale, type Locale } from "@/lib/i18n";
import { describeDestination, type Destination } from "@/lib/phone";
import { describeError, errorResponse, refusal, toAppError, AppError, type ErrorBody } from "./errors";
import { requireSameOrigin } from "./same-origin";
import type { RuleName } from "./refusals";

/**
 * What a public route knows about its request, for its decisions and for the throttle event if it
 * is refused. Made once per request by `publicRoute`: the client address and its limit keys are
 * resolved there (no I/O), so every refusal's event carries them; the destination is noted once,
 * when the route learns it.
 */
export type RequestContext = {
  readonly route: string;
  readonly requestId: string;
  /** Attacker-controlled: stored as text, bounded, never interpreted. */
  readonly userAgent: string | null;
  /** The client address under the configured strategy, or null when none can be trusted. */
  readonly clientIp: string | null;
  readonly ipKeys: IpRateLimitKeys | null;
  /** The language of the answer, from `Accept-Language` (lib/i18n). */
  readonly locale: Locale;
  destination: Destination | null;
};

/** Notes where the request's code goes (E.164), for the limits and the throttle event. */
export function noteDestination(context: RequestContext, phone: string): Destination {
  const { fraud } = getEnv();
  context.destination = describeDestination(phone, fraud.rangeDigits, config.fraud.rangeDigits.value);
  return context.destination;
}

/**
 * The client address and its limit keys; without a trustworthy address no per-address limit
 * could hold, so nothing is sent or checked (`403 client_ip`).
 */
export function requireClientIp(context: RequestContext): { clientIp: string; ipKeys: IpRateLimitKeys } {
  if (!context.clientIp || !context.ipKeys) throw refusal("client_ip");
  return { clientIp: context.clientIp, ipKeys: context.ipKeys };
}

/**
 * A public JSON endpoint: the request context, `Cache-Control: no-store` and `X-Request-Id` on
 * every answer, and the one way a refused request ends — the error becomes the JSON envelope with
 * its status, and a throttle event naming the rule is recorded after the response.
 */
export function publicRoute(
  route: string,
  handler: (request: NextRequest, context: RequestContext) => Promise<NextResponse>,
): (request: NextRequest) => Promise<NextResponse> {
  return async (request) => {
    const context = startRequestContext(request, route);
    let response: NextResponse;
    try {
      response = await handler(request, context);
    } catch (error) {
      response = refuse(error, context);
    }
    response.headers.set("Cache-Control", "no-store");
    response.headers.set("X-Request-Id", context.requestId);
    return response;
  };
}

function startRequestContext(request: Request, route: string): RequestContext {
  const clientIp = resolveRequestClientIp(request);
  return {
    route,
    requestId: randomUUID(),
    userAgent: request.headers.get("user-agent")?.slice(0, config.http.maxUserAgent.value) ?? null,
    clientIp,
    ipKeys: clientIp ? deriveIpKeys(clientIp, getEnv().clientIp.ipv6Prefix) : null,
    locale: pickLocale(request.headers.get("accept-language")),
    destination: null,
  };
}

/**
 * Records, beside the request's own outcome, what a defense noticed about it: a rule in shadow
 * mode that would have refused it, or an automatic block it set off (with its evidence).
 */
export function recordAlongside(
  context: RequestContext,
  what: { rule: RuleName; decision: "shadow" | "auto_block"; evidence?: Record<string, number | string> },
): void {
  recordThrottleEvent({ ...eventFields(context), ...what, retryAfterSeconds: null });
}

function eventFields(context: RequestContext) {
  const { destination } = context;
  return {
    route: context.route,
    ip: context.clientIp,
    subnet: context.ipKeys?.aggregate ?? null,
    phone: destination?.phone ?? null,
    country: destination?.country ?? null,
    prefix: destination?.prefix ?? null,
    userAgent: context.userAgent,
    requestId: context.requestId,
  };
}

/** A store or database that is down is `503 unavailable` — fail closed — and recorded to the log when it can be. */
function refuse(error: unknown, context: RequestContext): NextResponse<ErrorBody> {
  const details = { route: context.route, requestId: context.requestId };
  return errorResponse(noteRefusal(error, context), details, context.locale);
}

/** Records the throttle event of a refused (or failed) request; the error as an `AppError`. */
function noteRefusal(error: unknown, context: RequestContext): AppError {
  const appError = toAppError(error, { route: context.route, requestId: context.requestId });
  const rule = appError.details.rule ?? (appError.status === 503 ? "store_unavailable" : appError.code);
  if (rule === "store_unavailable" || rule === "database_unavailable") {
    const part = rule === "store_unavailable" ? "store" : "database";
    console.error(`[otp-shield] ${part} unavailable: refusing`, {
      route: context.route,
      requestId: context.requestId,
    });
  }
  const { retryAfterSeconds } = appError.details;
  recordThrottleEvent({
    ...eventFields(context),
    rule,
    decision: appError.status >= 500 ? "failed" : "refused",
    retryAfterSeconds: retryAfterSeconds === undefined ? null : Math.max(1, Math.ceil(retryAfterSeconds)),
  });
  return appError;
}

/** A refusal as a server action answers it: what the JSON envelope says, and the rule behind it. */
export type ActionRefusal = ReturnType<typeof describeError> & {
  status: number;
  rule: string;
  retryAfterSeconds?: number;
};

/**
 * `publicRoute` for a server action (a form that also posts without JavaScript): the request is
 * rebuilt from the incoming headers, so the same guards run on it — same-origin, client address,
 * the send policy — and a refusal is recorded the same way and returned as data for the form.
 */
export async function runPublicAction<T>(
  route: string,
  handler: (request: NextRequest, context: RequestContext) => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; refusal: ActionRefusal }> {
  const request = await incomingRequest();
  const context = startRequestContext(request, route);
  try {
    requireSameOrigin(request);
    return { ok: true, value: await handler(request, context) };
  } catch (error) {
    const appError = noteRefusal(error, context);
    return {
      ok: false,
      refusal: {
        ...describeError(appError, context.locale),
        status: appError.status,
        rule: appError.details.rule ?? appError.code,
        retryAfterSeconds: appError.details.retryAfterSeconds,
      },
    };
  }
}

/** The request a server action is answering, as route handlers see one (headers, cookies, URL). */
async function incomingRequest(): Promise<NextRequest> {
  const incoming = new Headers(await headers());
  const host = incoming.get("x-forwarded-host") ?? incoming.get("host") ?? "localhost";
  const protocol = incoming.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https" ? "https" : "http";
  return new NextRequest(`${protocol}://${host.split(",")[0]!.trim()}/`, {
    method: "POST",
    headers: incoming,
  });
}
