import "server-only";
import { refusal } from "./errors";

/**
 * Refuses cross-site POSTs: a page on another site must not be able to make visitors' browsers
 * request codes (each one costs money) or submit codes. Browsers say where a request comes from in
 * `Sec-Fetch-Site` and `Origin`; requests without either (curl, server-side clients) are not
 * browser cross-site requests and pass.
 * https://developer.mozilla.org/docs/Web/HTTP/Headers/Sec-Fetch-Site
 */
export function requireSameOrigin(request: Request): void {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") throw crossSite();

  const origin = request.headers.get("origin");
  if (origin === null) return;
  const host =
    request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? new URL(request.url).host;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw crossSite();
  }
  if (originHost.toLowerCase() !== host.split(",")[0]!.trim().toLowerCase()) throw crossSite();
}

const crossSite = () => refusal("hygiene.cross_site");
