"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { fetchJson } from "@/lib/api/client";
import type { PasskeySummary } from "@/lib/api/passkeys";
import { addPasskey } from "@/lib/passkeys/browser";
import { useBrowserSupportsPasskeys } from "./use-browser-support";

const dateFormat = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const formatDate = (iso: string | null) => (iso ? `${dateFormat.format(new Date(iso))} UTC` : "Never");

/**
 * The account's passkeys: add one (after a sign-in with a code, the way to need no SMS next
 * time), rename or remove each. The server re-renders the list after every change.
 */
export function PasskeyList({ passkeys, admin }: { passkeys: PasskeySummary[]; admin: boolean }) {
  const router = useRouter();
  const supported = useBrowserSupportsPasskeys();
  const [pending, setPending] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);

  const run = async (
    key: string,
    action: () => Promise<{ ok: boolean; error?: { message: string } }>,
    done: string,
  ) => {
    setPending(key);
    setMessage(null);
    const result = await action();
    setPending(null);
    if (!result.ok) {
      setMessage({ tone: "error", text: result.error!.message });
      return;
    }
    setRenaming(null);
    setMessage({ tone: "success", text: done });
    router.refresh();
  };

  return (
    <div className="space-y-4">
      {passkeys.length === 0 ? (
        <p className="text-sm text-slate-600">
          No passkeys yet. Add one to sign in with your fingerprint, face or device PIN — no code to wait for.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200" aria-label="Your passkeys" data-testid="passkey-list">
          {passkeys.map((passkey) => (
            <li key={passkey.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
              {renaming === passkey.id ? (
                <form
                  className="flex flex-1 items-center gap-2"
                  onSubmit={(event) => {
                    event.preventDefault();
                    const name = String(new FormData(event.currentTarget).get("name") ?? "");
                    void run(
                      passkey.id,
                      () => fetchJson(`/api/passkeys/${passkey.id}`, { method: "PATCH", body: { name } }),
                      "Passkey renamed.",
                    );
                  }}
                >
                  <label htmlFor={`name-${passkey.id}`} className="sr-only">
                    New name for {passkey.name}
                  </label>
                  <Input
                    id={`name-${passkey.id}`}
                    name="name"
                    defaultValue={passkey.name}
                    maxLength={60}
                    required
                  />
                  <Button type="submit" variant="secondary" pending={pending === passkey.id}>
                    Save
                  </Button>
                  <Button type="button" variant="link" onClick={() => setRenaming(null)}>
                    Cancel
                  </Button>
                </form>
              ) : (
                <>
                  <div className="text-sm">
                    <p className="font-medium">
                      {passkey.name}
                      {passkey.enrolledForAdmin ? (
                        <span className="ml-2 text-indigo-700">(admin)</span>
                      ) : null}
                    </p>
                    <p className="text-slate-500">
                      Added {formatDate(passkey.createdAt)} · Last used {formatDate(passkey.lastUsedAt)}
                      {passkey.backedUp ? " · Synced" : " · This device only"}
                    </p>
                  </div>
                  <div className="flex gap-3">
                    <Button type="button" variant="link" onClick={() => setRenaming(passkey.id)}>
                      Rename<span className="sr-only"> {passkey.name}</span>
                    </Button>
                    <Button
                      type="button"
                      variant="danger-link"
                      pending={pending === passkey.id}
                      onClick={() =>
                        void run(
                          passkey.id,
                          () => fetchJson(`/api/passkeys/${passkey.id}`, { method: "DELETE" }),
                          "Passkey removed.",
                        )
                      }
                    >
                      Remove<span className="sr-only"> {passkey.name}</span>
                    </Button>
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {supported ? (
        <Button
          type="button"
          pending={pending === "add"}
          onClick={() => void run("add", () => addPasskey(), "Passkey added. Next time, sign in with it.")}
        >
          {pending === "add" ? "Waiting for your device…" : "Add a passkey"}
        </Button>
      ) : (
        <p className="text-sm text-slate-600">This browser can&apos;t make passkeys.</p>
      )}
      {admin ? (
        <p className="text-sm text-slate-600">
          Admin accounts add passkeys with an enrollment link from the operator, or after confirming with one
          they have.
        </p>
      ) : null}
      <div aria-live="polite">{message ? <Alert tone={message.tone}>{message.text}</Alert> : null}</div>
    </div>
  );
}
