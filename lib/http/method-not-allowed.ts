import { AppError, errorResponse } from "./errors";

/**
 * Handlers for the methods a route does not support: `405` with `Allow`, in the JSON error
 * envelope. Spread into a route module: `export const { GET, PUT, PATCH, DELETE } = onlyAllow("POST")`.
 */
export function onlyAllow(...allowed: string[]) {
  const handler = () =>
    errorResponse(
      new AppError("method_not_allowed", `Use ${allowed.join(" or ")} for this endpoint.`, {
        allow: allowed,
        rule: "hygiene.method",
      }),
    );
  return { GET: handler, PUT: handler, PATCH: handler, DELETE: handler };
}
