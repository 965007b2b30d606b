import Link from "next/link";

/** Shown on every page while the 8x8 sandbox stands in for 8x8, so nobody mistakes it for the real thing. */
export function SandboxBanner() {
  return (
    <div role="note" className="bg-amber-100 px-4 py-2 text-center text-sm text-amber-900">
      <strong>Sandbox — no SMS is sent.</strong> Codes appear in the{" "}
      <Link href="/sandbox" className="underline">
        sandbox inbox
      </Link>
      .
    </div>
  );
}
