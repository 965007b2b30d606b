"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { fetchJson, postJson } from "@/lib/api/client";
import type { BlockExtensionResponse } from "@/lib/api/admin";

const extensions = [
  { seconds: 3600, label: "1 hour" },
  { seconds: 4 * 3600, label: "4 hours" },
  { seconds: 86400, label: "1 day" },
  { seconds: 7 * 86400, label: "7 days" },
];

/**
 * Lift or Extend one automatic block (`label` is how the console names it: `range +62812`,
 * `country ID`). The outcome is said in a live region; the page is then read again.
 */
export function BlockActions({ label }: { label: string }) {
  const router = useRouter();
  const selectId = useId();
  const [pending, setPending] = useState<"lift" | "extend" | null>(null);
  const [seconds, setSeconds] = useState(extensions[0]!.seconds);
  const [message, setMessage] = useState<string | null>(null);

  async function act(action: "lift" | "extend") {
    setPending(action);
    setMessage(null);
    const result =
      action === "lift"
        ? await fetchJson<null>(`/api/admin/blocks?${new URLSearchParams({ label })}`, { method: "DELETE" })
        : await postJson<BlockExtensionResponse>("/api/admin/blocks", { label, extendSeconds: seconds });
    setPending(null);
    if (!result.ok) {
      setMessage(result.error.message);
      return;
    }
    setMessage(action === "lift" ? `Lifted ${label}.` : `Extended ${label}.`);
    router.refresh();
  }

  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button
        type="button"
        variant="danger-link"
        pending={pending === "lift"}
        onClick={() => act("lift")}
        aria-label={`Lift ${label}`}
      >
        Lift
      </Button>
      <label htmlFor={selectId} className="sr-only">
        Extend {label} to
      </label>
      <Select
        id={selectId}
        value={seconds}
        onChange={(event) => setSeconds(Number(event.target.value))}
        className="w-auto py-1"
      >
        {extensions.map((extension) => (
          <option key={extension.seconds} value={extension.seconds}>
            {extension.label} from now
          </option>
        ))}
      </Select>
      <Button
        type="button"
        variant="secondary"
        pending={pending === "extend"}
        onClick={() => act("extend")}
        aria-label={`Extend ${label}`}
      >
        Extend
      </Button>
      <span aria-live="polite" className="text-xs text-slate-600">
        {message}
      </span>
    </div>
  );
}
