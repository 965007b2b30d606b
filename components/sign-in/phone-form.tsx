"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMemo, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { CaptchaWidget, type CaptchaConfig, type CaptchaHandle } from "@/components/captcha/captcha-widget";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { postJson } from "@/lib/api/client";
import { showFieldErrors } from "@/lib/api/form-errors";
import { sendCodeSchema, type SendCodeInput, type SendCodeResponse } from "@/lib/api/otp";
import { listCountries } from "@/lib/phone";

/** Step one: the phone number, validated with the server's own schema before it is sent. */
export function PhoneForm({
  defaultCountry,
  countries: allowedCountries,
  captcha,
  initial,
  onSent,
}: {
  defaultCountry: string;
  /** The destination countries codes can be sent to (the picker offers only these). */
  countries: string[];
  captcha: CaptchaConfig;
  initial?: SendCodeInput;
  onSent: (input: SendCodeInput, sent: SendCodeResponse) => void;
}) {
  const countries = useMemo(
    () => listCountries().filter((country) => allowedCountries.includes(country.code)),
    [allowedCountries],
  );
  const captchaHandle = useRef<CaptchaHandle>(null);
  const honeypot = useRef<HTMLInputElement>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm({
    resolver: zodResolver(sendCodeSchema),
    defaultValues: initial ?? { country: defaultCountry, phone: "" },
  });

  const submit = async (input: SendCodeInput) => {
    setFormError(null);
    const token = await captchaHandle.current?.getToken();
    if (!token) {
      setFormError("Please complete the verification below and try again.");
      return;
    }
    const website = honeypot.current?.value;
    const result = await postJson<SendCodeResponse>("/api/otp/send", {
      ...input,
      captcha: token,
      ...(website ? { website } : {}),
    });
    // Every token is single-use: the next submit needs a fresh one, whatever happened.
    captchaHandle.current?.reset();
    if (result.ok) {
      onSent(input, result.data);
      return;
    }
    if (showFieldErrors(result.error, ["phone", "country"], setError)) return;
    const wait =
      result.error.code === "rate_limited" && result.retryAfterSeconds
        ? ` You can try again in ${result.retryAfterSeconds} s.`
        : "";
    setFormError(`${result.error.message}${wait}`);
  };

  return (
    <form
      onSubmit={(event) => void handleSubmit(submit)(event)}
      onFocus={() => captchaHandle.current?.prepare()}
      noValidate
      className="space-y-4"
      aria-busy={isSubmitting}
    >
      <Field id="country" label="Country" error={errors.country?.message}>
        {(control) => (
          <Select {...control} autoComplete="tel-country-code" {...register("country")}>
            {countries.map((country) => (
              <option key={country.code} value={country.code}>
                {country.name} ({country.dialCode})
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field
        id="phone"
        label="Phone number"
        error={errors.phone?.message}
        hint="We'll text you a code. Message and data rates may apply."
      >
        {(control) => (
          <Input
            {...control}
            type="tel"
            inputMode="tel"
            // `webauthn`: the browser may offer saved passkeys here too (components/passkeys/passkey-sign-in.tsx).
            autoComplete="tel webauthn"
            {...register("phone")}
          />
        )}
      </Field>
      {/* A field people never see (hidden from screen readers too); bots that fill every field fill it. */}
      <div className="absolute -left-[10000px] h-px w-px overflow-hidden" aria-hidden="true">
        <label htmlFor="website">Website</label>
        <input id="website" ref={honeypot} type="text" name="website" tabIndex={-1} autoComplete="off" />
      </div>
      <div>
        <CaptchaWidget config={captcha} handle={captchaHandle} />
      </div>
      <div aria-live="polite">{formError ? <Alert tone="error">{formError}</Alert> : null}</div>
      <Button type="submit" pending={isSubmitting} className="w-full">
        {isSubmitting ? "Sending code…" : "Send code"}
      </Button>
    </form>
  );
}
