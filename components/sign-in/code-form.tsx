"use client";

import { useEffect, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { format, formatWait } from "@/lib/i18n";
import type { CodeStep, SignInNotice } from "@/lib/sign-in/flow-state";
import { Notice, noticeText, type SignInWords } from "./notice";
import { useCountdown } from "./use-countdown";

/**
 * Step two: the code from the SMS, with "use a different number" and a resend once 8x8 accepts one
 * (at once when the code can no longer work). The number is carried in hidden fields, so every
 * button also works without JavaScript; it travels in the request body, never in the URL.
 */
export function CodeForm({
  state,
  notice,
  words,
  codeLength,
  action,
  onSubmit,
  busy,
  busyIntent,
  resendIn,
  skewMs,
}: {
  state: CodeStep;
  notice: SignInNotice | undefined;
  words: SignInWords;
  codeLength: number;
  action: (form: FormData) => void;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  busy: boolean;
  busyIntent: string | null;
  resendIn: number;
  /** How far the server's clock is ahead of the browser's (useServerClockSkew). */
  skewMs: number;
}) {
  const retryIn = useCountdown(notice?.retryAt ?? null, skewMs);
  // The server answers wrong and expired codes alike; the browser knows the expiry it was given.
  const expired = useCountdown(state.expiresAt, skewMs) === 0;
  const codeError = notice?.field === "code" ? noticeText(notice, words, expired) : undefined;

  useEffect(() => {
    if (notice?.field !== "code") return;
    const field = document.getElementById("code") as HTMLInputElement | null;
    field?.focus();
    field?.select();
  }, [state.answer, notice?.field]);

  const [before, after] = words.codeSentTo.replace("{length}", String(codeLength)).split("{phone}");
  return (
    <form action={action} onSubmit={onSubmit} noValidate className="space-y-4" aria-busy={busy}>
      <input type="hidden" name="next" value={state.next} />
      <input type="hidden" name="phone" value={state.phone} />
      <input type="hidden" name="country" value={state.country} />
      <p className="text-sm text-slate-600">
        {before}
        <strong className="whitespace-nowrap">{state.display}</strong>
        {after}
      </p>
      <Field id="code" label={words.code} error={codeError}>
        {(control) => (
          <Input
            {...control}
            name="code"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            maxLength={codeLength + 8}
            autoFocus
            required
            className="text-lg tracking-[0.5em]"
            onChange={(event) => {
              // Pasted codes often carry spaces or dashes ("123 456"): keep the digits only.
              event.target.value = event.target.value.replace(/\D/g, "").slice(0, codeLength);
            }}
          />
        )}
      </Field>
      {notice && notice.field !== "code" ? <Notice notice={notice} words={words} skewMs={skewMs} /> : null}
      <Button
        type="submit"
        name="intent"
        value="verify"
        pending={busy}
        disabled={state.ended || retryIn > 0}
        className="w-full"
      >
        {busyIntent === "verify" ? words.verifying : words.verify}
        {retryIn > 0 ? <span suppressHydrationWarning>{` · ${formatWait(retryIn)}`}</span> : null}
      </Button>
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <Button type="submit" name="intent" value="change" formNoValidate variant="link" pending={busy}>
          {words.changeNumber}
        </Button>
        <Button
          type="submit"
          name="intent"
          value="resend"
          formNoValidate
          variant={state.ended ? "secondary" : "link"}
          pending={busy}
          disabled={resendIn > 0}
        >
          <span suppressHydrationWarning>
            {resendIn > 0
              ? format(words.resendIn, { seconds: resendIn })
              : busyIntent === "resend"
                ? words.resending
                : words.resend}
          </span>
        </Button>
      </div>
    </form>
  );
}
