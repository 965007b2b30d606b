import { errorResponse, refusal } from "@/lib/http/errors";
import { pickLocale } from "@/lib/i18n";

/**
 * Every path under /api that no endpoint answers: the JSON error envelope with 404, as scripts
 * expect of an API, instead of the HTML 404 page.
 */
function notFound(request: Request) {
  return errorResponse(refusal("hygiene.no_route"), {}, pickLocale(request.headers.get("accept-language")));
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
