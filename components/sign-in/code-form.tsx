"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { CaptchaWidget, type CaptchaConfig, type CaptchaHandle } from "@/components/captcha/captcha-widget";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { postJson } from "@/lib/api/client";
import {
  verifyRequestSchemaFor,
  type SendCodeInput,
  type SendCodeResponse,
  type VerifyCodeResponse,
} from "@/lib/api/otp";
import { useCountdown } from "./use-countdown";

/** The server answers wrong and expired codes alike; the browser knows the expiry time it was given. */
function hasPassed(isoTime: string): boolean {
  return Date.now() >= new Date(isoTime).getTime();
}

/** Step two: the code from the SMS, with resend (after the countdown) and "use a different number". */
export function CodeForm({
  codeLength,
  phoneLabel,
  sendInput,
  sent,
  captcha,
  onResent,
  onChangeNumber,
}: {
  captcha: CaptchaConfig;
  codeLength: number;
  phoneLabel: string;
  sendInput: SendCodeInput;
  sent: SendCodeResponse;
  onResent: (sent: SendCodeResponse) => void;
  onChangeNumber: () => void;
}) {
  const router = useRouter();
  const schema = useMemo(() => verifyRequestSchemaFor(codeLength), [codeLength]);
  const [message, setMessage] = useState<{ tone: "error" | "info"; text: string } | null>(null);
  const [resending, setResending] = useState(false);
  const resendIn = useCountdown(sent.resendAfter);
  const captchaHandle = useRef<CaptchaHandle>(null);
  const {
    register,
    handleSubmit,
    setError,
    setValue,
    formState: { errors, isSubmitting },
  } = useForm({ resolver: zodResolver(schema), defaultValues: { code: "" } });

  const onSubmit = handleSubmit(async ({ code }) => {
    setMessage(null);
    const result = await postJson<VerifyCodeResponse>("/api/otp/verify", { code });
    if (result.ok) {
      router.replace(result.data.isNewUser ? "/account?welcome=1" : "/account");
      router.refresh();
      return;
    }
    const expired = hasPassed(sent.expiresAt);
    switch (result.error.code) {
      case "code_invalid":
        setError("code", {
          message: expired
            ? "This code has expired. Send a new code."
            : "That code is not right. Check the SMS and try again.",
        });
        break;
      case "rate_limited":
        setMessage({ tone: "error", text: "Too many wrong codes. Send a new code to try again." });
        break;
      case "no_pending_verification":
        setMessage({ tone: "error", text: "This code request has ended. Send a new code." });
        break;
      default:
        setMessage({ tone: "error", text: result.error.message });
    }
  });

  const resend = async () => {
    setResending(true);
    setMessage(null);
    const token = await captchaHandle.current?.getToken();
    if (!token) {
      setResending(false);
      setMessage({ tone: "error", text: "Please complete the verification below and try again." });
      return;
    }
    const result = await postJson<SendCodeResponse>("/api/otp/send", { ...sendInput, captcha: token });
    captchaHandle.current?.reset();
    setResending(false);
    if (result.ok) {
      setValue("code", "");
      onResent(result.data);
      setMessage({ tone: "info", text: `We sent the code again to ${phoneLabel}.` });
    } else {
      const wait = result.retryAfterSeconds ? ` You can try again in ${result.retryAfterSeconds} s.` : "";
      setMessage({ tone: "error", text: `${result.error.message}${wait}` });
    }
  };

  const codeField = register("code");
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-busy={isSubmitting}>
      <p className="text-sm text-slate-600">
        We sent a {codeLength}-digit code to <strong>{phoneLabel}</strong>.
      </p>
      <Field id="code" label="Verification code" error={errors.code?.message}>
        {(control) => (
          <Input
            {...control}
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            autoFocus
            className="text-lg tracking-[0.5em]"
            {...codeField}
            onChange={(event) => {
              // Pasted codes often carry spaces or dashes ("123 456"): keep the digits only.
              event.target.value = event.target.value.replace(/\D/g, "").slice(0, codeLength);
              return codeField.onChange(event);
            }}
          />
        )}
      </Field>
      <div aria-live="polite">{message ? <Alert tone={message.tone}>{message.text}</Alert> : null}</div>
      {resendIn === 0 ? <CaptchaWidget config={captcha} handle={captchaHandle} /> : null}
      <Button type="submit" pending={isSubmitting} className="w-full">
        {isSubmitting ? "Checking…" : "Verify"}
      </Button>
      <div className="flex items-center justify-between text-sm">
        <Button type="button" variant="link" onClick={onChangeNumber}>
          Use a different number
        </Button>
        <Button type="button" variant="link" onClick={resend} pending={resending} disabled={resendIn > 0}>
          {resendIn > 0 ? `Resend code in ${resendIn} s` : resending ? "Sending…" : "Resend code"}
        </Button>
      </div>
    </form>
  );
}
