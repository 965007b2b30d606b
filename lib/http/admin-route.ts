import "server-only";
import type { NextRequest } from "next/server";
import { errorResponse } from "./errors";

/**
 * An admin endpoint: `Cache-Control: no-store` on every answer (admin data never sits in a cache),
 * and the one way a failure ends — the JSON error envelope with its status (401, 403, 400 …),
 * unknown errors logged and hidden. It checks no rights: every handler reads its data through
 * lib/admin/*, which checks them where the data is read, because a wrapper, a layout or a proxy
 * alone can be skipped (CVE-2025-29927). Unlike `publicRoute`, a failure records no throttle
 * event: admins are not the traffic the log is about.
 */
export function adminRoute(
  route: string,
  handler: (request: NextRequest) => Promise<Response>,
): (request: NextRequest) => Promise<Response> {
  return async (request) => {
    let response: Response;
    try {
      response = await handler(request);
    } catch (error) {
      response = errorResponse(error, { route });
    }
    response.headers.set("Cache-Control", "no-store");
    return response;
  };
}

/**
 * The sandbox's inbox and test controls take the same prologue; lib/eight-by-eight/sandbox/inbox.ts
 * decides who may use them (nobody when the sandbox is off, only the full inbox has controls).
 */
export const sandboxRoute = adminRoute;
