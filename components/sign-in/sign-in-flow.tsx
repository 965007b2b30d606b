"use client";

import { startTransition, useActionState, useRef, useState, type FormEvent } from "react";
import { CaptchaWidget, type CaptchaConfig, type CaptchaHandle } from "@/components/captcha/captcha-widget";
import { format, formatWait, type Messages } from "@/lib/i18n";
import type { SignInNotice, SignInState } from "@/lib/sign-in/flow-state";
import { CodeForm } from "./code-form";
import { PhoneForm } from "./phone-form";
import { useCountdown } from "./use-countdown";

export type SignInWords = Messages["signIn"];
export type CountryOption = { code: string; name: string; dialCode: string };

/**
 * The two-step sign-in: phone number, then code. Sign-up is the same flow for a new number.
 *
 * Both forms post to one server action (`action`). Without JavaScript that is a plain form POST and
 * the page renders the answer; with it, React posts the same fields — and, for a send, first adds
 * the CAPTCHA token that has been solving in the background since the page opened.
 */
export function SignInFlow({
  action,
  initial,
  words,
  countries,
  codeLength,
  captcha,
}: {
  action: (state: SignInState, form: FormData) => Promise<SignInState>;
  initial: SignInState;
  words: SignInWords;
  countries: CountryOption[];
  codeLength: number;
  captcha: CaptchaConfig;
}) {
  const [state, formAction, isPending] = useActionState(action, initial);
  const captchaHandle = useRef<CaptchaHandle>(null);
  const [waitingForCaptcha, setWaitingForCaptcha] = useState(false);
  const [captchaProblem, setCaptchaProblem] = useState(false);
  const [lastIntent, setLastIntent] = useState<string | null>(null);
  const resendIn = useCountdown(state.step === "code" ? state.resendAfter : null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    if (isPending || waitingForCaptcha || submitter?.getAttribute("aria-disabled") === "true") return;
    const form = new FormData(event.currentTarget, submitter);
    const intent = form.get("intent");
    setLastIntent(typeof intent === "string" ? intent : null);
    // A send or resend spends a token: the next one starts solving at once.
    if (intent === "send" || intent === "resend") {
      setWaitingForCaptcha(true);
      const token = await captchaHandle.current?.getToken();
      setWaitingForCaptcha(false);
      captchaHandle.current?.reset();
      if (!token) {
        setCaptchaProblem(true);
        return;
      }
      setCaptchaProblem(false);
      form.set("captcha", token);
    }
    startTransition(() => formAction(form));
  };

  const busy = isPending || waitingForCaptcha;
  const busyIntent = busy ? lastIntent : null;
  // While a form is being answered its last message steps aside, so the next one is announced anew.
  const problem: SignInNotice | undefined = busy
    ? undefined
    : captchaProblem
      ? { tone: "error", key: "preparationFailed" }
      : state.notice;

  return (
    <div className="space-y-4">
      {state.step === "phone" ? (
        <PhoneForm
          state={state}
          notice={problem}
          words={words}
          countries={countries}
          action={formAction}
          onSubmit={submit}
          busy={busy}
        />
      ) : (
        <CodeForm
          key={state.expiresAt}
          state={state}
          notice={problem}
          words={words}
          codeLength={codeLength}
          action={formAction}
          onSubmit={submit}
          busy={busy}
          busyIntent={busyIntent}
          resendIn={resendIn}
        />
      )}
      <CaptchaWidget
        config={captcha}
        handle={captchaHandle}
        active={state.step === "phone" || (resendIn === 0 && !busy) || waitingForCaptcha}
        progressText={words.preparing}
      />
    </div>
  );
}

/**
 * The message of the last answer, announced when it appears (role=alert or status). A refusal that
 * says when to try again counts down to it, in a timer that screen readers do not repeat each second.
 */
export function Notice({
  notice,
  words,
  expired,
}: {
  notice: SignInNotice;
  words: SignInWords;
  expired?: boolean;
}) {
  const retryIn = useCountdown(notice.retryAt ?? null);
  const tones = {
    error: "bg-red-50 text-red-800 ring-red-200",
    info: "bg-sky-50 text-sky-900 ring-sky-200",
    success: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  };
  return (
    <div className={`rounded-md p-3 text-sm ring-1 ${tones[notice.tone]}`}>
      <p role={notice.tone === "error" ? "alert" : "status"}>{noticeText(notice, words, expired)}</p>
      {notice.retryAt && retryIn > 0 ? (
        <p role="timer" className="mt-1" suppressHydrationWarning>
          {format(words.tryAgainIn, { time: formatWait(retryIn) })}
        </p>
      ) : null}
    </div>
  );
}

export function noticeText(notice: SignInNotice, words: SignInWords, expired?: boolean): string {
  if (notice.key === "wrongCode" && expired) return words.expiredCode;
  return notice.key ? format(words[notice.key], notice.values) : (notice.text ?? "");
}
