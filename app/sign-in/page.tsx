import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { PasskeySignIn } from "@/components/passkeys/passkey-sign-in";
import { SignInFlow } from "@/components/sign-in/sign-in-flow";
import { Card } from "@/components/ui/card";
import { auth } from "@/lib/auth";
import { getCaptchaWidgetConfig } from "@/lib/defenses/captcha";
import { getEnv } from "@/lib/env";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage() {
  if ((await auth())?.user?.phone) redirect("/account");
  const { defaultCountry, otp, destinations } = getEnv();
  const countries = [...destinations.allowedCountries].filter(
    (code) => !destinations.deniedCountries.has(code),
  );
  return (
    <div className="mx-auto max-w-md">
      <Card title="Sign in or sign up">
        <SignInFlow
          defaultCountry={
            countries.includes(defaultCountry) ? defaultCountry : (countries[0] ?? defaultCountry)
          }
          countries={countries}
          codeLength={otp.codeLength}
          captcha={getCaptchaWidgetConfig()}
        />
        <div className="mt-4">
          <PasskeySignIn />
        </div>
      </Card>
    </div>
  );
}
