"use client";

import {
  startTransition,
  useActionState,
  useEffectEvent,
  useLayoutEffect,
  useRef,
  useState,
  type FormEvent,
} from "react";
import { CaptchaWidget, type CaptchaConfig, type CaptchaHandle } from "@/components/captcha/captcha-widget";
import type { SignInNotice, SignInState } from "@/lib/sign-in/flow-state";
import { CodeForm } from "./code-form";
import type { SignInWords } from "./notice";
import { PhoneForm, type CountryOption } from "./phone-form";
import { useCountdown, useServerClockSkew } from "./use-countdown";

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
  serverTime,
  countries,
  codeLength,
  captcha,
}: {
  action: (state: SignInState, form: FormData) => Promise<SignInState>;
  initial: SignInState;
  words: SignInWords;
  /** The server's clock when it rendered the page (ms): the countdowns below are on its clock. */
  serverTime: number;
  countries: CountryOption[];
  codeLength: number;
  captcha: CaptchaConfig;
}) {
  const [state, formAction, isPending] = useActionState(action, initial);
  const skewMs = useServerClockSkew(serverTime);
  const captchaHandle = useRef<CaptchaHandle>(null);
  const [waitingForCaptcha, setWaitingForCaptcha] = useState(false);
  const [captchaProblem, setCaptchaProblem] = useState(false);
  const [lastIntent, setLastIntent] = useState<string | null>(null);
  const resendIn = useCountdown(state.step === "code" ? state.resendAfter : null, skewMs);

  // The last send or resend as submitted, for the one unasked retry that `solveAgain` calls for.
  const lastSend = useRef<{ form: FormData; retried: boolean } | null>(null);

  const post = async (form: FormData) => {
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

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    if (isPending || waitingForCaptcha || submitter?.getAttribute("aria-disabled") === "true") return;
    const form = new FormData(event.currentTarget, submitter);
    const intent = form.get("intent");
    lastSend.current = intent === "send" || intent === "resend" ? { form, retried: false } : null;
    void post(form);
  };

  // Attack mode began between solving and sending: solve at the new price and send again, once.
  const solveAgain = useEffectEvent(() => {
    const last = lastSend.current;
    if (!state.solveAgain || !last || last.retried) return;
    last.retried = true;
    void post(last.form); // which puts a fresh token in place of the refused one
  });
  // Before the browser paints: the refusal it answers is never shown, the form is busy at once.
  useLayoutEffect(() => solveAgain(), [state.answer]);

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
          skewMs={skewMs}
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
          skewMs={skewMs}
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
