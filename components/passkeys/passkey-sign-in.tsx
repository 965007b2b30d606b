"use client";

import { browserSupportsWebAuthnAutofill } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useEffect, useEffectEvent, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { inWords } from "@/lib/api/client";
import type { Messages } from "@/lib/i18n";
import { cancelPasskeyPrompt, signInWithPasskey, signInWithPasskeyAutofill } from "@/lib/passkeys/browser";
import { useBrowserSupportsPasskeys } from "./use-browser-support";

/**
 * "Sign in with a passkey": no number to type and no SMS. Where the browser supports it, the
 * passkeys it holds for this site are also offered in the phone field's autofill list
 * (conditional mediation: that field says `autocomplete="tel webauthn"`), so a returning person
 * can pick one without pressing anything. Either way they go on to `next`, the page they came
 * from (already made safe by lib/sign-in/return-path.ts).
 */
export function PasskeySignIn({ next, words }: { next: string; words: Messages["passkeys"] }) {
  const router = useRouter();
  const supported = useBrowserSupportsPasskeys();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Pressing the button starts a ceremony of its own, whose challenge replaces the autofill's: an
  // autofill answer still on its way is then refused as stale, and that refusal must not overwrite
  // the button's outcome.
  const buttonPressed = useRef(false);
  const onAutofill = useEffectEvent((result: Awaited<ReturnType<typeof signInWithPasskeyAutofill>>) => {
    if (!result) return;
    if (result.ok) {
      router.replace(next);
      router.refresh();
    } else if (!buttonPressed.current) setError(inWords(result, words).error.message);
  });
  useEffect(() => {
    let active = true;
    void (async () => {
      if (!(await browserSupportsWebAuthnAutofill())) return;
      const result = await signInWithPasskeyAutofill();
      if (active) onAutofill(result);
    })();
    return () => {
      active = false;
      cancelPasskeyPrompt();
    };
  }, []);

  if (!supported) return null;

  const signIn = async () => {
    buttonPressed.current = true;
    setPending(true);
    setError(null);
    const result = await signInWithPasskey(words);
    setPending(false);
    if (!result) return;
    if (result.ok) {
      router.replace(next);
      router.refresh();
      return;
    }
    setError(result.error.message);
  };

  return (
    <div className="space-y-3 border-t border-slate-200 pt-4">
      <Button
        type="button"
        variant="secondary"
        className="w-full"
        pending={pending}
        onClick={() => void signIn()}
      >
        {pending ? words.waitingForPasskey : words.signIn}
      </Button>
      <div aria-live="polite">{error ? <Alert tone="error">{error}</Alert> : null}</div>
    </div>
  );
}
