"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useEffect } from "react";
import { Alert } from "@/components/ui/alert";

/**
 * The welcome after a sign-up, on whichever page the person returns to (the sign-in action adds
 * `?joined=1`). Shown once: the parameter is taken out of the address at once, so a reload, the
 * back button or a shared link does not welcome anyone again.
 */
export function WelcomeNotice({ text }: { text: string }) {
  const joined = useSearchParams().get("joined") === "1";
  const pathname = usePathname();

  useEffect(() => {
    if (!joined) return;
    const url = new URL(window.location.href);
    url.searchParams.delete("joined");
    window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
  }, [joined, pathname]);

  return joined ? (
    <div className="mx-auto mb-6 max-w-3xl">
      <Alert tone="success">{text}</Alert>
    </div>
  ) : null;
}
