"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, inputClassName } from "@/components/ui/field";
import { listCountries, sendCodeSchema, type SendCodeInput } from "@/lib/phone";
import { postJson, type SentCode } from "./post-json";

/** Step one: the phone number, validated with the server's own schema before it is sent. */
export function PhoneForm({
  defaultCountry,
  initial,
  onSent,
}: {
  defaultCountry: string;
  initial?: SendCodeInput;
  onSent: (input: SendCodeInput, sent: SentCode) => void;
}) {
  const countries = useMemo(() => listCountries(), []);
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<SendCodeInput>({
    resolver: zodResolver(sendCodeSchema),
    defaultValues: initial ?? { country: defaultCountry, phone: "" },
  });

  const onSubmit = handleSubmit(async (input) => {
    setFormError(null);
    const result = await postJson<SentCode>("/api/otp/send", input);
    if (result.ok) {
      onSent(input, result.data);
      return;
    }
    if (result.error.fields?.phone) {
      setError("phone", { message: result.error.fields.phone });
    } else if (result.error.code === "rate_limited" && result.retryAfterSeconds) {
      setFormError(`${result.error.message} You can try again in ${result.retryAfterSeconds} s.`);
    } else {
      setFormError(result.error.message);
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-busy={isSubmitting}>
      <Field id="country" label="Country" error={errors.country?.message}>
        <select
          id="country"
          className={inputClassName}
          autoComplete="tel-country-code"
          {...register("country")}
        >
          {countries.map((country) => (
            <option key={country.code} value={country.code}>
              {country.name} ({country.dialCode})
            </option>
          ))}
        </select>
      </Field>
      <Field
        id="phone"
        label="Phone number"
        error={errors.phone?.message}
        hint="We'll text you a code. Message and data rates may apply."
      >
        <input
          id="phone"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          className={inputClassName}
          aria-invalid={errors.phone ? true : undefined}
          aria-describedby={errors.phone ? "phone-error" : "phone-hint"}
          {...register("phone")}
        />
      </Field>
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      <Button type="submit" pending={isSubmitting} className="w-full">
        {isSubmitting ? "Sending code…" : "Send code"}
      </Button>
    </form>
  );
}
