/**
 * Where a person goes after signing in: the page they came from (`/sign-in?next=/admin/events`),
 * if it is a path on this site, else their account page. Anything else would make the sign-in
 * page an open redirect (`?next=https://evil.example`, `//evil.example`, `/\evil.example`):
 * https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html
 */
export const DEFAULT_RETURN_PATH = "/account";

const base = "http://return-path.invalid";

export function safeReturnPath(value: unknown): string {
  if (typeof value !== "string" || value.length > 512) return DEFAULT_RETURN_PATH;
  // Only a path: one slash, then not a second one or a backslash (browsers read `/\` as `//`),
  // and no control characters (a tab or newline inside `//` is dropped by URL parsers).
  if (!/^\/(?![/\\])/.test(value) || /[\u0000-\u001f\u007f\\]/.test(value)) return DEFAULT_RETURN_PATH;
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return DEFAULT_RETURN_PATH;
  }
  if (url.origin !== base) return DEFAULT_RETURN_PATH;
  // Back to the sign-in page would only ask again.
  if (url.pathname === "/sign-in" || url.pathname.startsWith("/api/")) return DEFAULT_RETURN_PATH;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The sign-in page's address that comes back to `path` afterwards. */
export function signInPathFrom(path: string): string {
  const next = safeReturnPath(path);
  return next === DEFAULT_RETURN_PATH || path === "/"
    ? "/sign-in"
    : `/sign-in?next=${encodeURIComponent(next)}`;
}
