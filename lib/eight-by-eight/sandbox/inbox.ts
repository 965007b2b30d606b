import "server-only";
import { getSandboxEmulator } from "@/lib/eight-by-eight";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { getPendingVerification } from "@/lib/sign-in/pending-verification";

export type InboxMessage = { to: string; text: string; code: string; channel: string; sentAt: string };

/**
 * What the sandbox inbox shows to this browser. With `SANDBOX_INBOX=all` (development and tests)
 * every message, optionally only those to `to`; with `own` (the public demo) only the messages of
 * the browser's own pending verification, whatever `to` says — a visitor can never read a code
 * sent to someone else's number.
 */
export async function listVisibleSandboxMessages(
  pendingCookie: string | undefined,
  to: string | undefined,
): Promise<InboxMessage[]> {
  const emulator = await requireSandbox();
  if (getEnv().sandboxInbox === "all") return emulator.listMessages(to).map(toInboxMessage);

  const pending = await getPendingVerification(pendingCookie);
  if (!pending) return [];
  return emulator
    .listMessages(pending.phone)
    .filter((message) => message.sessionId === pending.sessionId)
    .map(toInboxMessage);
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
