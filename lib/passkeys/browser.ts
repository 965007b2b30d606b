import {
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/browser";
import { inWords, postJson, type ApiResult } from "@/lib/api/client";
import type {
  PasskeyConfirmedResponse,
  PasskeySignInResponse,
  RegisteredPasskeyResponse,
} from "@/lib/api/passkeys";
import type { Messages } from "@/lib/i18n";

/**
 * The browser's side of the passkey ceremonies: ask the server for a prompt, let
 * @simplewebauthn/browser run it (`navigator.credentials`), send the answer back. Every outcome is
 * an ApiResult, so the components show one kind of error whatever failed: the server, the
 * network, or the person closing the prompt.
 */

export type PasskeyResult<T> =
  ApiResult<T> | { ok: false; status: 0; cancelled: true; error: { code: "cancelled"; message: string } };

/** What the browser's own failures say: from the page's catalogue (lib/i18n), handed in by the component. */
export type BrowserFailureWords = Pick<
  Messages["passkeys"],
  "promptClosed" | "alreadyOnDevice" | "browserFailed" | "unreachable" | "unreadable"
>;

const failed = (message: string) => ({
  ok: false as const,
  status: 0 as const,
  cancelled: true as const,
  error: { code: "cancelled" as const, message },
});

/** A WebAuthn failure in the browser: closed, timed out, or refused by the authenticator; null when aborted. */
function browserFailure(error: unknown, words: BrowserFailureWords) {
  const name = (error as { name?: string } | null)?.name;
  if (name === "AbortError") return null;
  if (name === "NotAllowedError") return failed(words.promptClosed);
  if (name === "InvalidStateError") return failed(words.alreadyOnDevice);
  return failed(words.browserFailed);
}

/** Adds a passkey to the signed-in account (with an admin enrollment link's token, if any). */
export async function addPasskey(
  words: BrowserFailureWords,
  name?: string,
  enrollment?: string,
): Promise<PasskeyResult<RegisteredPasskeyResponse>> {
  const prompt = await postJson<PublicKeyCredentialCreationOptionsJSON>(
    "/api/passkeys/register/options",
    enrollment ? { enrollment } : {},
  );
  if (!prompt.ok) return inWords(prompt, words);
  let response;
  try {
    response = await startRegistration({ optionsJSON: prompt.data });
  } catch (error) {
    return browserFailure(error, words) ?? failed(words.promptClosed);
  }
  return inWords(
    await postJson<RegisteredPasskeyResponse>("/api/passkeys/register", {
      response,
      ...(name ? { name } : {}),
    }),
    words,
  );
}

/** Signs in with a passkey the person picks in the browser's dialog (the button). */
export async function signInWithPasskey(
  words: BrowserFailureWords,
): Promise<PasskeyResult<PasskeySignInResponse> | null> {
  const prompt = await postJson<PublicKeyCredentialRequestOptionsJSON>("/api/passkeys/sign-in/options", {});
  if (!prompt.ok) return inWords(prompt, words);
  let response;
  try {
    response = await startAuthentication({ optionsJSON: prompt.data });
  } catch (error) {
    return browserFailure(error, words);
  }
  return inWords(await postJson<PasskeySignInResponse>("/api/passkeys/sign-in", { response }), words);
}

/**
 * Offers the site's passkeys in the phone field's autofill list (conditional mediation) instead of
 * a dialog. Resolves only when one is picked, and to null when it could not start or a newer
 * ceremony (the button) replaced it: nobody asked for it, so nothing about it is shown as an error.
 */
export async function signInWithPasskeyAutofill(): Promise<ApiResult<PasskeySignInResponse> | null> {
  const prompt = await postJson<PublicKeyCredentialRequestOptionsJSON>("/api/passkeys/sign-in/options", {});
  if (!prompt.ok) return null;
  let response;
  try {
    response = await startAuthentication({ optionsJSON: prompt.data, useBrowserAutofill: true });
  } catch {
    return null;
  }
  return postJson<PasskeySignInResponse>("/api/passkeys/sign-in", { response });
}

/** Confirms the current session with one of the account's passkeys (the admin step-up). */
export async function confirmWithPasskey(
  words: BrowserFailureWords,
): Promise<PasskeyResult<PasskeyConfirmedResponse>> {
  const prompt = await postJson<PublicKeyCredentialRequestOptionsJSON>("/api/passkeys/confirm/options", {});
  if (!prompt.ok) return inWords(prompt, words);
  let response;
  try {
    response = await startAuthentication({ optionsJSON: prompt.data });
  } catch (error) {
    return browserFailure(error, words) ?? failed(words.promptClosed);
  }
  return inWords(await postJson<PasskeyConfirmedResponse>("/api/passkeys/confirm", { response }), words);
}

/** Ends a waiting autofill prompt (when the page that started it goes away). */
export function cancelPasskeyPrompt(): void {
  WebAuthnAbortService.cancelCeremony();
}
