"use client";

import { useEffect, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { formatWait } from "@/lib/i18n";
import type { PhoneStep, SignInNotice } from "@/lib/sign-in/flow-state";
import { Notice, noticeText, type SignInWords } from "./notice";
import { useCountdown } from "./use-countdown";

export type CountryOption = { code: string; name: string; dialCode: string };

/** Step one: the phone number. The server checks it (libphonenumber's full metadata stays there). */
export function PhoneForm({
  state,
  notice,
  words,
  countries,
  action,
  onSubmit,
  busy,
  skewMs,
}: {
  state: PhoneStep;
  notice: SignInNotice | undefined;
  words: SignInWords;
  countries: CountryOption[];
  action: (form: FormData) => void;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  busy: boolean;
  /** How far the server's clock is ahead of the browser's (useServerClockSkew). */
  skewMs: number;
}) {
  const retryIn = useCountdown(notice?.retryAt ?? null, skewMs);
  const fieldError = (name: "phone" | "country") =>
    notice?.field === name ? noticeText(notice, words) : undefined;

  // A refusal that belongs to a field moves focus there: its message is read with the field.
  useEffect(() => {
    if (notice?.field) document.getElementById(notice.field)?.focus();
  }, [state.answer, notice?.field]);

  return (
    <form action={action} onSubmit={onSubmit} noValidate className="space-y-4" aria-busy={busy}>
      <input type="hidden" name="next" value={state.next} />
      <Field id="country" label={words.country} error={fieldError("country")}>
        {(control) => (
          <Select {...control} name="country" defaultValue={state.country} autoComplete="tel-country-code">
            {countries.map((country) => (
              <option key={country.code} value={country.code}>
                {country.name} ({country.dialCode})
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field id="phone" label={words.phone} error={fieldError("phone")} hint={words.phoneHint}>
        {(control) => (
          <Input
            {...control}
            name="phone"
            type="tel"
            inputMode="tel"
            // `webauthn`: the browser may offer saved passkeys here too (components/passkeys/passkey-sign-in.tsx).
            autoComplete="tel webauthn"
            defaultValue={state.phone}
            required
          />
        )}
      </Field>
      {/* A field people never see (hidden from screen readers too); bots that fill every field fill it. */}
      <div className="absolute -left-[10000px] h-px w-px overflow-hidden" aria-hidden="true">
        <label htmlFor="website">Website</label>
        <input id="website" type="text" name="website" tabIndex={-1} autoComplete="off" />
      </div>
      {notice && !notice.field ? <Notice notice={notice} words={words} skewMs={skewMs} /> : null}
      <Button
        type="submit"
        name="intent"
        value="send"
        pending={busy}
        disabled={retryIn > 0}
        className="w-full"
      >
        {busy ? words.sending : words.send}
        {retryIn > 0 ? <span suppressHydrationWarning>{` · ${formatWait(retryIn)}`}</span> : null}
      </Button>
    </form>
  );
}
