"use client";

import { useState } from "react";
import type { CaptchaConfig } from "@/components/captcha/captcha-widget";
import type { SendCodeInput, SendCodeResponse } from "@/lib/api/otp";
import { parsePhone } from "@/lib/phone";
import { CodeForm } from "./code-form";
import { PhoneForm } from "./phone-form";

/** The two-step sign-in: phone number, then code. Sign-up is the same flow for a new number. */
export function SignInFlow({
  defaultCountry,
  countries,
  codeLength,
  captcha,
}: {
  defaultCountry: string;
  countries: string[];
  codeLength: number;
  captcha: CaptchaConfig;
}) {
  const [step, setStep] = useState<{ input: SendCodeInput; sent: SendCodeResponse } | null>(null);
  const [lastInput, setLastInput] = useState<SendCodeInput | undefined>(undefined);

  if (!step) {
    return (
      <PhoneForm
        defaultCountry={defaultCountry}
        countries={countries}
        captcha={captcha}
        initial={lastInput}
        onSent={(input, sent) => {
          setLastInput(input);
          setStep({ input, sent });
        }}
      />
    );
  }

  const parsed = parsePhone(step.input.phone, step.input.country);
  return (
    <CodeForm
      codeLength={codeLength}
      captcha={captcha}
      phoneLabel={parsed.ok ? parsed.phone.e164 : step.input.phone}
      sendInput={step.input}
      sent={step.sent}
      onResent={(sent) => setStep({ input: step.input, sent })}
      onChangeNumber={() => setStep(null)}
    />
  );
}
