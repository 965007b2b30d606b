import "server-only";
import { getEnv } from "@/lib/env";

/**
 * Who the passkeys are for (the WebAuthn "relying party"): the origin a browser must report in
 * every answer, and the RP ID — the host name every passkey is bound to, so a passkey made here
 * is never offered to, nor usable on, another site (https://www.w3.org/TR/webauthn-3/#rp-id).
 *
 * - With AUTH_URL (the app's public URL, which Auth.js uses too): that origin and its host name,
 *   whatever Host header a request carries. Set it in production.
 * - Without it (development, tests, or AUTH_TRUST_HOST behind a proxy you control): the request's
 *   own origin, from the Host (or X-Forwarded-Host) and X-Forwarded-Proto headers — the same host
 *   Auth.js trusts then. A forged Host header gains nothing: the browser signs the page's real
 *   origin, and the signed RP ID hash must match the passkey's, so a mismatch only fails.
 *
 * Passkeys are bound to the host name: change the domain and they stop working (people sign in
 * with a code and add new ones).
 */
export type RelyingParty = { id: string; origin: string; name: string };

export function relyingPartyFor(request: Request): RelyingParty {
  const { publicUrl, otp } = getEnv();
  const origin = publicUrl ? new URL(publicUrl).origin : requestOrigin(request);
  return { id: new URL(origin).hostname, origin, name: otp.brand };
}

function requestOrigin(request: Request): string {
  const url = new URL(request.url);
  const host = firstValue(request.headers.get("x-forwarded-host") ?? request.headers.get("host")) ?? url.host;
  const proto = firstValue(request.headers.get("x-forwarded-proto")) ?? url.protocol.replace(":", "");
  return `${proto === "https" ? "https" : "http"}://${host}`;
}

const firstValue = (header: string | null) => header?.split(",")[0]?.trim() || null;
