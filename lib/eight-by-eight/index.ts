import "server-only";
import { getEnv } from "../env";
import { createEightByEightClient } from "./client";
import { getSandbox } from "./sandbox";
import type { OtpProvider } from "./types";

export { EightByEightError, isOperatorError } from "./errors";
export type { EightByEightErrorKind } from "./errors";
export type { LineType, LookupType, NumberInfo, OtpProvider, VerificationSession } from "./types";

let provider: Promise<OtpProvider> | undefined;

/**
 * The 8x8 client the app uses: pointed at 8x8 when `OTP_PROVIDER=8x8`, or at the local sandbox
 * (the same client, over HTTP) when `OTP_PROVIDER=sandbox`.
 */
export function getOtpProvider(): Promise<OtpProvider> {
  provider ??= (async () => {
    const { otpProvider, eightByEight } = getEnv();
    if (otpProvider === "8x8") {
      return createEightByEightClient({
        kind: "8x8",
        verifyBaseUrl: eightByEight.urls.verify,
        lookupBaseUrl: eightByEight.urls.lookup,
        apiKey: eightByEight.apiKey,
        subAccountId: eightByEight.subAccountId,
        timeoutMs: eightByEight.timeoutMs,
      });
    }
    const sandbox = await getSandbox(eightByEight.subAccountId);
    return createEightByEightClient({
      kind: "sandbox",
      verifyBaseUrl: sandbox.url,
      lookupBaseUrl: sandbox.url,
      apiKey: sandbox.emulator.apiKey,
      subAccountId: eightByEight.subAccountId,
      timeoutMs: eightByEight.timeoutMs,
    });
  })();
  return provider;
}

/** The running sandbox's emulator (inbox, faults), or null when the sandbox is off. */
export async function getSandboxEmulator() {
  const { otpProvider, eightByEight } = getEnv();
  if (otpProvider !== "sandbox") return null;
  return (await getSandbox(eightByEight.subAccountId)).emulator;
}
