/** Whether the visitor reached us over HTTPS (directly, or through a proxy that says so): cookies get `Secure`. */
export function isHttpsRequest(request: Request): boolean {
  return new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
}

/**
 * The options of every cookie this app sets besides Auth.js's: httpOnly (scripts cannot read it),
 * SameSite=Strict (other sites cannot make the browser send it), Secure over HTTPS.
 */
export function strictCookieOptions(request: Request, maxAgeSeconds: number) {
  return {
    httpOnly: true,
    secure: isHttpsRequest(request),
    sameSite: "strict" as const,
    path: "/",
    maxAge: maxAgeSeconds,
  };
}
