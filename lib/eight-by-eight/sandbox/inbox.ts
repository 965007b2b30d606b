import "server-only";
import { getSandboxEmulator } from "@/lib/eight-by-eight";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";

export type InboxMessage = { to: string; text: string; code: string; channel: string; sentAt: string };

/** The code this browser is waiting for: the number and 8x8 session of its pending verification. */
export type OwnCode = { phone: string; sessionId: string };

/**
 * What the sandbox inbox shows to this browser. With `SANDBOX_INBOX=all` (development and tests)
 * every message, optionally only those to `to`; with `own` (the public demo) only the messages of
 * the browser's own pending verification, whatever `to` says — a visitor can never read a code
 * sent to someone else's number. `findOwnCode` opens the browser's pending verification (the caller
 * knows its cookie; this vendor folder does not), and is asked only in `own` mode.
 */
export async function listVisibleSandboxMessages(
  findOwnCode: () => Promise<OwnCode | null>,
  to: string | undefined,
): Promise<InboxMessage[]> {
  const emulator = await requireSandbox();
  if (getEnv().sandboxInbox === "all") return emulator.listMessages(to).map(toInboxMessage);

  const own = await findOwnCode();
  if (!own) return [];
  return emulator
    .listMessages(own.phone)
    .filter((message) => message.sessionId === own.sessionId)
    .map(toInboxMessage);
}

/**
 * Forgets the sandbox's messages and sessions for `phone` (an account deletion); nothing to do
 * when the sandbox is off — real 8x8 keeps its own records (README, "Your data").
 */
export async function forgetSandboxNumber(phone: string): Promise<void> {
  (await getSandboxEmulator())?.forgetDestination(phone);
}

/** The emulator, for its test controls, only when the full inbox is open (never in a public demo). */
export async function requireSandboxControls() {
  const emulator = await requireSandbox();
  if (getEnv().sandboxInbox !== "all") {
    throw new AppError("not_found", "Sandbox controls are off (SANDBOX_INBOX=own).");
  }
  return emulator;
}

async function requireSandbox() {
  const emulator = await getSandboxEmulator();
  if (!emulator) throw new AppError("not_found", "The 8x8 sandbox is off: this deployment sends real SMS.");
  return emulator;
}

function toInboxMessage({ to, text, code, channel, sentAt }: InboxMessage): InboxMessage {
  return { to, text, code, channel, sentAt };
}
