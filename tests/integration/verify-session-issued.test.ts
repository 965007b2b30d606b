import { NextRequest } from "next/server";
import { expect, it, vi } from "vitest";
import { POST as send } from "@/app/api/otp/send/route";
import { POST as verify } from "@/app/api/otp/verify/route";
import { createAltchaChallenge } from "@/lib/defenses/captcha";
import { getSandboxEmulator } from "@/lib/eight-by-eight";
import { solveAltcha } from "../support/altcha";

/**
 * Auth.js can decline to sign a verified user in without throwing (an untrusted host: `signIn`
 * resolves, no session cookie is set). Here it declines every time: the verify route must not
 * answer 200, and must not mark the browser as a known device.
 */
vi.mock("@/lib/auth", () => ({ signIn: async () => "http://localhost/api/auth/callback/phone-otp" }));

const post = (path: string, body: unknown, cookie = "") =>
  new NextRequest(`http://localhost${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": "2001:db8:5e55::1", Cookie: cookie },
    body: JSON.stringify(body),
  });

it("answers 503, not 200, when Auth.js issues no session for a verified code", async () => {
  const phone = "+6581357924";
  const captcha = await solveAltcha(await createAltchaChallenge());
  const sent = await send(post("/api/otp/send", { phone, captcha }));
  expect(sent.status).toBe(202);
  const cookie = sent.headers.get("set-cookie")!.split(";")[0]!;
  const code = (await getSandboxEmulator())!.listMessages(phone)[0]!.code;

  const verified = await verify(post("/api/otp/verify", { code }, cookie));
  expect(verified.status).toBe(503);
  expect((await verified.json()).error.code).toBe("unavailable");
  expect(verified.headers.getSetCookie().join("\n")).not.toMatch(/otp_device=/);
});
