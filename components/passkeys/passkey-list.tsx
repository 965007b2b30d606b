"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { fetchJson, inWords } from "@/lib/api/client";
import type { PasskeySummary } from "@/lib/api/passkeys";
import { format, type Locale, type Messages } from "@/lib/i18n";
import { addPasskey } from "@/lib/passkeys/browser";
import { useBrowserSupportsPasskeys } from "./use-browser-support";

/**
 * The account's passkeys: add one (after a sign-in with a code, the way to need no SMS next
 * time), rename or remove each. The server re-renders the list after every change.
 */
export function PasskeyList({
  passkeys,
  admin,
  locale,
  words,
}: {
  passkeys: PasskeySummary[];
  admin: boolean;
  locale: Locale;
  words: Messages["passkeys"];
}) {
  const router = useRouter();
  const dateFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  });
  const formatDate = (iso: string | null) => (iso ? `${dateFormat.format(new Date(iso))} UTC` : words.never);
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
        <p className="text-sm text-slate-600">{words.none}</p>
      ) : (
        <ul className="divide-y divide-slate-200" aria-label={words.listLabel} data-testid="passkey-list">
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
                      async () =>
                        inWords(
                          await fetchJson(`/api/passkeys/${passkey.id}`, { method: "PATCH", body: { name } }),
                          words,
                        ),
                      words.renamed,
                    );
                  }}
                >
                  <label htmlFor={`name-${passkey.id}`} className="sr-only">
                    {format(words.newName, { name: passkey.name })}
                  </label>
                  <Input
                    id={`name-${passkey.id}`}
                    name="name"
                    defaultValue={passkey.name}
                    maxLength={60}
                    required
                  />
                  <Button type="submit" variant="secondary" pending={pending === passkey.id}>
                    {words.save}
                  </Button>
                  <Button type="button" variant="link" onClick={() => setRenaming(null)}>
                    {words.cancel}
                  </Button>
                </form>
              ) : (
                <>
                  <div className="text-sm">
                    <p className="font-medium">
                      {passkey.name}
                      {passkey.enrolledForAdmin ? (
                        <span className="ml-2 text-indigo-700">{words.adminTag}</span>
                      ) : null}
                    </p>
                    <p className="text-slate-500">
                      {format(words.usage, {
                        createdAt: formatDate(passkey.createdAt),
                        lastUsedAt: formatDate(passkey.lastUsedAt),
                      })}
                      {passkey.backedUp ? words.synced : words.deviceOnly}
                    </p>
                  </div>
                  <div className="flex gap-3">
                    <Button type="button" variant="link" onClick={() => setRenaming(passkey.id)}>
                      {words.rename}
                      <span className="sr-only"> {passkey.name}</span>
                    </Button>
                    <Button
                      type="button"
                      variant="danger-link"
                      pending={pending === passkey.id}
                      onClick={() =>
                        void run(
                          passkey.id,
                          async () =>
                            inWords(
                              await fetchJson(`/api/passkeys/${passkey.id}`, { method: "DELETE" }),
                              words,
                            ),
                          words.removed,
                        )
                      }
                    >
                      {words.remove}
                      <span className="sr-only"> {passkey.name}</span>
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
          onClick={() => void run("add", () => addPasskey(words), words.added)}
        >
          {pending === "add" ? words.waitingForDevice : words.add}
        </Button>
      ) : (
        <p className="text-sm text-slate-600">{words.unsupported}</p>
      )}
      {admin ? <p className="text-sm text-slate-600">{words.adminNote}</p> : null}
      <div aria-live="polite">{message ? <Alert tone={message.tone}>{message.text}</Alert> : null}</div>
    </div>
  );
}
