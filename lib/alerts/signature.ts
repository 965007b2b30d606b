import { createHmac, timingSafeEqual } from "node:crypto";
import { config } from "@/lib/config";

/**
 * Webhook signatures: HMAC-SHA256 over `${timestamp}.${rawBody}` with the shared secret, sent as
 * `X-OTP-Shield-Signature: t=<unix seconds>,v1=<hex>` — the scheme Stripe documents
 * (https://docs.stripe.com/webhooks#verify-manually). Signing the timestamp with the body lets a
 * receiver refuse replays of an old delivery. Written with node:crypto: no webhook-signing
 * library is a dependency, and the scheme is these few lines.
 */
export const SIGNATURE_HEADER = "X-OTP-Shield-Signature";
export const DELIVERY_HEADER = "X-OTP-Shield-Delivery";
/** How old a signature a receiver should accept. */
export const SIGNATURE_TOLERANCE_SECONDS = config.alerts.signatureTolerance.value;

export function signPayload(secret: string, rawBody: string, timestamp: number): string {
  const digest = createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex");
  return `t=${timestamp},v1=${digest}`;
}

/**
 * What a receiver runs (the README shows the same steps): true when `header` signs `rawBody` with
 * `secret` and its timestamp is within the tolerance of `now` (unix seconds).
 */
export function verifySignature(
  secret: string,
  rawBody: string,
  header: string | null,
  now = Math.floor(Date.now() / 1000),
): boolean {
  const parts = new Map(
    (header ?? "").split(",").map((part) => part.split("=", 2) as [string, string | undefined]),
  );
  const timestamp = Number(parts.get("t"));
  const signature = parts.get("v1") ?? "";
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return false;
  const expected = createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest();
  const given = Buffer.from(signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
