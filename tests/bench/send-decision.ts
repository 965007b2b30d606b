/**
 * Shared by the send-path benches: sends measured in process through the real route handler, and
 * the solved CAPTCHAs they carry (each solution is accepted once, so every measured send needs
 * its own).
 */
import { NextRequest } from "next/server";
import { solveAltcha } from "../support/altcha";

export async function loadSendRoute() {
  const [{ POST }, { createAltchaChallenge }] = await Promise.all([
    import("@/app/api/otp/send/route"),
    import("@/lib/defenses/captcha"),
  ]);
  return { send: POST, createAltchaChallenge };
}

export type SendBody = { phone: string; captcha: string; website?: string };

export function sendRequest(address: string, body: SendBody): NextRequest {
  return new NextRequest("http://localhost/api/otp/send", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": address },
    body: JSON.stringify(body),
  });
}

/** What a pumping bot that skips the proof of work posts. */
export function refusedSendRequest(address: string): NextRequest {
  return sendRequest(address, { phone: "+6581234567", captcha: "forged" });
}

/** `count` solved challenges (at the cheap price vitest.config.ts sets), to be used once each. */
export async function solvedCaptchas(
  createChallenge: () => Promise<Parameters<typeof solveAltcha>[0]>,
  count: number,
): Promise<{ take(): string }> {
  const pool = await Promise.all(
    Array.from({ length: count }, async () => solveAltcha(await createChallenge())),
  );
  return {
    take: () => {
      const captcha = pool.pop();
      if (!captcha) throw new Error(`The bench used more than its ${count} solved CAPTCHAs`);
      return captcha;
    },
  };
}
