import Link from "next/link";
import type { Messages } from "@/lib/i18n";

/** Shown on every page while the 8x8 sandbox stands in for 8x8, so nobody mistakes it for the real thing. */
export function SandboxBanner({ words }: { words: Messages["site"] }) {
  return (
    // A landmark of its own, so nothing on the page sits outside one (axe: region).
    <aside aria-label={words.sandbox}>
      <div role="note" className="bg-amber-100 px-4 py-2 text-center text-sm text-amber-900">
        <strong>{words.sandbox}</strong> {words.sandboxCodesIn}{" "}
        <Link href="/sandbox" className="underline">
          {words.sandboxInbox}
        </Link>
        .
      </div>
    </aside>
  );
}
