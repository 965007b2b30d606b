import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { PasskeySignIn } from "@/components/passkeys/passkey-sign-in";
import { SignInFlow } from "@/components/sign-in/sign-in-flow";
import { Card } from "@/components/ui/card";
import { auth } from "@/lib/auth";
import { getCaptchaWidgetConfig } from "@/lib/defenses/captcha";
import { getEnv } from "@/lib/env";
import { getMessages } from "@/lib/i18n/server";
import { formatPhone, listCountries, parseE164 } from "@/lib/phone";
import { serverClock, type SignInState } from "@/lib/sign-in/flow-state";
import { getWaitingCode, PENDING_COOKIE_NAME } from "@/lib/sign-in/pending-verification";
import { safeReturnPath } from "@/lib/sign-in/return-path";
import { signInAction } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  const { messages } = await getMessages();
  return { title: messages.signIn.title };
}

/**
 * Sign-in and sign-up, one flow. Rendered on the server with everything the first paint needs —
 * the countries, the default one selected, the code step itself when this browser is waiting for a
 * code — so the forms work before (and without) JavaScript.
 */
export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeReturnPath((await searchParams).next);
  if ((await auth())?.user?.phone) redirect(next);
  const { locale, messages } = await getMessages();
  const { defaultCountry, otp, destinations } = getEnv();
  const allowed = [...destinations.allowedCountries].filter(
    (code) => !destinations.deniedCountries.has(code),
  );
  const countries = listCountries(locale).filter((country) => allowed.includes(country.code));
  const country = allowed.includes(defaultCountry) ? defaultCountry : (countries[0]?.code ?? defaultCountry);

  // A reload, or a visit without JavaScript after the code was sent, lands on the code step.
  const waiting = await getWaitingCode((await cookies()).get(PENDING_COOKIE_NAME)?.value);
  const initial: SignInState = waiting
    ? {
        step: "code",
        phone: waiting.phone,
        country: parseE164(waiting.phone)?.country ?? country,
        display: formatPhone(waiting.phone),
        expiresAt: waiting.expiresAt,
        resendAfter: waiting.resendAfter,
        next,
        answer: 0,
      }
    : { step: "phone", phone: "", country, next, answer: 0 };

  return (
    <div className="mx-auto max-w-md">
      <Card title={messages.signIn.heading}>
        {/* The proof of work needs a script; say so instead of a form that quietly cannot send. */}
        <noscript>
          <p className="mb-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200">
            {messages.signIn.noScript}
          </p>
        </noscript>
        <SignInFlow
          action={signInAction}
          initial={initial}
          words={messages.signIn}
          serverTime={serverClock()}
          countries={countries}
          codeLength={otp.codeLength}
          captcha={getCaptchaWidgetConfig()}
        />
        <div className="mt-4">
          <PasskeySignIn next={next} words={messages.passkeys} />
        </div>
      </Card>
    </div>
  );
}
