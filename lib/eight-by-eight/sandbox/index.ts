import "server-only";
import { randomBytes } from "node:crypto";
import { EightByEightEmulator } from "./emulator";
import { serveEmulator } from "./server";

export type { SandboxFault, SandboxMessage } from "./emulator";

type Sandbox = { emulator: EightByEightEmulator; url: string };

// One sandbox per server process. Kept on globalThis because Next.js may load this module more
// than once (one copy per route bundle); every copy must see the same inbox.
const globalKey = Symbol.for("otp-shield.eight-by-eight-sandbox");
type GlobalWithSandbox = typeof globalThis & { [globalKey]?: Promise<Sandbox> };

/**
 * Starts (once) the local 8x8 emulator on a random loopback port, with a random API key, so the
 * app's real 8x8 client reaches it over HTTP just as it would reach 8x8.
 */
export function getSandbox(subAccountId: string): Promise<Sandbox> {
  const holder = globalThis as GlobalWithSandbox;
  holder[globalKey] ??= (async () => {
    const emulator = new EightByEightEmulator(randomBytes(24).toString("base64url"), subAccountId);
    const { url } = await serveEmulator(emulator);
    return { emulator, url };
  })();
  return holder[globalKey];
}
