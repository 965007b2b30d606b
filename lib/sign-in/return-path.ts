/**
 * Where a person goes after signing in: the page they came from (`/sign-in?next=/admin/events`),
 * if it is a path on this site, else their account page. Anything else would make the sign-in
 * page an open redirect (`?next=https://evil.example`, `//evil.example`, `/\evil.example`):
 * https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html
 */
export const DEFAULT_RETURN_PATH = "/account";

const base = "http://return-path.invalid";
/** One slash, then not a second one or a backslash (browsers read `/\` as `//`, another host). */
const ONE_LEADING_SLASH = /^\/(?![/\\])/;

export function safeReturnPath(value: unknown): string {
  if (typeof value !== "string" || value.length > 512) return DEFAULT_RETURN_PATH;
  // Only a path, and no control characters (a tab or newline inside `//` is dropped by URL parsers).
  if (!ONE_LEADING_SLASH.test(value) || /[\u0000-\u001f\u007f\\]/.test(value)) return DEFAULT_RETURN_PATH;
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return DEFAULT_RETURN_PATH;
  }
  if (url.origin !== base) return DEFAULT_RETURN_PATH;
  // The path as returned is the parser's, with dot segments resolved: `/.//evil.example` and
  // `/a/..//evil.example` become `//evil.example`, which a browser reads as another host.
  if (!ONE_LEADING_SLASH.test(url.pathname)) return DEFAULT_RETURN_PATH;
  // Back to the sign-in page would only ask again.
  if (url.pathname === "/sign-in" || url.pathname.startsWith("/api/")) return DEFAULT_RETURN_PATH;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** `page`, asking it to go on to `path` afterwards (nothing to ask for the account page or home). */
function goingOnTo(page: string, path: string): string {
  const next = safeReturnPath(path);
  return next === DEFAULT_RETURN_PATH || path === "/" ? page : `${page}?next=${encodeURIComponent(next)}`;
}

/** The sign-in page's address that comes back to `path` afterwards. */
export function signInPathFrom(path: string): string {
  return goingOnTo("/sign-in", path);
}

/**
 * The request header by which proxy.ts tells a page's server code its own address, so that a
 * redirect to the sign-in page can come back to it (a layout is never told its path).
 */
export const REQUESTED_PATH_HEADER = "x-otp-shield-requested-path";

/** The sign-in page's address that comes back to the page being rendered (see REQUESTED_PATH_HEADER). */
export function signInPathFromHeaders(headers: Headers): string {
  return signInPathFrom(headers.get(REQUESTED_PATH_HEADER) ?? "/");
}

/** The admin step-up page's address that goes on to the page being rendered once confirmed. */
export function confirmPasskeyPathFromHeaders(headers: Headers): string {
  return goingOnTo("/account/confirm-passkey", headers.get(REQUESTED_PATH_HEADER) ?? "/");
}
