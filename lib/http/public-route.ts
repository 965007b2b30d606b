import "server-only";
import { randomUUID } from "node:crypto";
import type { NextResponse } from "next/server";
import { deriveIpKeys } from "@/lib/client-ip/strategies";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { AppError, errorResponse, type ErrorBody } from "./errors";
import { isStoreUnavailable } from "@/lib/store";
import { recordThrottleEvent } from "@/lib/events";

/** What a route handler has learned about a request so far, for the throttle event if it is refused. */
export type RequestContext = {
  route: string;
  requestId: string;
  userAgent: string | null;
  ip: string | null;
  subnet: string | null;
  phone: string | null;
  country: string | null;
  prefix: string | null;
};

export function startRequestContext(request: Request, route: string): RequestContext {
  return {
    route,
    requestId: randomUUID(),
    // Attacker-controlled: stored as text, bounded, never interpreted.
    userAgent: request.headers.get("user-agent")?.slice(0, config.http.maxUserAgent.value) ?? null,
    ip: null,
    subnet: null,
    phone: null,
    country: null,
    prefix: null,
  };
}

/** Fills the context's address fields from a resolved client address. */
export function noteClientIp(context: RequestContext, ip: string): void {
  context.ip = ip;
  context.subnet = deriveIpKeys(ip, getEnv().clientIp.ipv6Prefix)?.aggregate ?? null;
}

/**
 * The one way a refused request ends: the error becomes the JSON envelope with its status, and a
 * throttle event naming the rule is recorded after the response. A store that is down is
 * `503 unavailable` — fail closed — and recorded to the log when it cannot be stored.
 */
export function refuse(error: unknown, context: RequestContext): NextResponse<ErrorBody> {
  const appError = isStoreUnavailable(error)
    ? new AppError("unavailable", "We can't send or check codes right now. Please try again in a minute.", {
        rule: "store_unavailable",
      })
    : error;
  const response = errorResponse(appError, { route: context.route, requestId: context.requestId });
  response.headers.set("X-Request-Id", context.requestId);

  const rule = appError instanceof AppError ? (appError.details.rule ?? appError.code) : "internal_error";
  if (isStoreUnavailable(error)) {
    console.error("[otp-shield] store unavailable: refusing", {
      route: context.route,
      requestId: context.requestId,
    });
  }
  recordThrottleEvent({
    route: context.route,
    rule,
    decision: response.status >= 500 ? "failed" : "refused",
    ip: context.ip,
    subnet: context.subnet,
    phone: context.phone,
    country: context.country,
    prefix: context.prefix,
    userAgent: context.userAgent,
    retryAfterSeconds: Number(response.headers.get("retry-after")) || null,
    requestId: context.requestId,
  });
  return response;
}
