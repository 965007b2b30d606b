import type { NextRequest } from "next/server";
import { solveAltcha } from "./altcha";

export type SignInRoutes = {
  send: (request: NextRequest) => Promise<Response>;
  verify: (request: NextRequest) => Promise<Response>;
  /** A solved ALTCHA payload for one send. */
  captcha: () => Promise<string>;
  /** The code of the newest SMS the sandbox sent to `phone`. */
  latestCode: (phone: string) => string;
  /** Writes the batched throttle events and traffic counts now. */
  flush: () => Promise<void>;
};

/**
 * The send and verify route handlers and what a test drives them with, imported only when called:
 * after the test has set the environment (REDIS_URL, limits) the modules read on first use.
 */
export async function loadSignInRoutes(): Promise<SignInRoutes> {
  const [{ POST: send }, { POST: verify }, { getSandboxEmulator }, { createAltchaChallenge }, events] =
    await Promise.all([
      import("@/app/api/otp/send/route"),
      import("@/app/api/otp/verify/route"),
      import("@/lib/eight-by-eight"),
      import("@/lib/defenses/captcha"),
      import("@/lib/events"),
    ]);
  const emulator = (await getSandboxEmulator())!;
  return {
    send,
    verify,
    captcha: async () => solveAltcha(await createAltchaChallenge()),
    latestCode: (phone) => emulator.listMessages(phone)[0]!.code,
    flush: events.flushThrottleEvents,
  };
}
