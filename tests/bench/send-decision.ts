/**
 * Shared by the send-path benches: a refused send decision, measured in process through the real
 * route handler.
 */
import { NextRequest } from "next/server";

export async function loadSendRoute() {
  const [{ POST }, { createAltchaChallenge }] = await Promise.all([
    import("@/app/api/otp/send/route"),
    import("@/lib/defenses/captcha"),
  ]);
  return { send: POST, createAltchaChallenge };
}

export function refusedSendRequest(address: string): NextRequest {
  return new NextRequest("http://localhost/api/otp/send", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": address },
    body: JSON.stringify({ phone: "+6581234567", captcha: "forged" }),
  });
}
