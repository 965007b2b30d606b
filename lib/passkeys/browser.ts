import {
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/browser";
import { postJson, type ApiResult } from "@/lib/api/client";
import type {
  PasskeyConfirmedResponse,
  PasskeySignInResponse,
  RegisteredPasskeyResponse,
} from "@/lib/api/passkeys";

/**
 * The browser's side of the passkey ceremonies: ask the server for a prompt, let
 * @simplewebauthn/browser run it (`navigator.credentials`), send the answer back. Every outcome is
 * an ApiResult, so the components show one kind of error whatever failed: the server, the
 * network, or the person closing the prompt.
 */

export type PasskeyResult<T> =
  ApiResult<T> | { ok: false; status: 0; cancelled: true; error: { code: "cancelled"; message: string } };

const cancelled = {
  ok: false as const,
  status: 0 as const,
  cancelled: true as const,
  error: { code: "cancelled" as const, message: "The passkey prompt was closed before it finished." },
};

/** A WebAuthn failure in the browser: closed, timed out, or refused by the authenticator. */
function browserFailure(error: unknown) {
  const name = (error as { name?: string } | null)?.name;
  if (name === "AbortError") return null;
  if (name === "NotAllowedError") return cancelled;
  if (name === "InvalidStateError") {
    return {
      ...cancelled,
      error: { code: "cancelled" as const, message: "This device already holds a passkey for your account." },
    };
  }
  return {
    ...cancelled,
    error: {
      code: "cancelled" as const,
      message: "This browser couldn't use a passkey. Try another browser or device.",
    },
  };
}

/** Adds a passkey to the signed-in account (with an admin enrollment link's token, if any). */
export async function addPasskey(
  name?: string,
  enrollment?: string,
): Promise<PasskeyResult<RegisteredPasskeyResponse>> {
  const prompt = await postJson<PublicKeyCredentialCreationOptionsJSON>(
    "/api/passkeys/register/options",
    enrollment ? { enrollment } : {},
  );
  if (!prompt.ok) return prompt;
  let response;
  try {
    response = await startRegistration({ optionsJSON: prompt.data });
  } catch (error) {
    return browserFailure(error) ?? cancelled;
  }
  return postJson<RegisteredPasskeyResponse>("/api/passkeys/register", {
    response,
    ...(name ? { name } : {}),
  });
}

/**
 * Signs in with a passkey. With `autofill`, the prompt waits in the phone field's autofill list
 * (conditional mediation) instead of opening a dialog; it resolves only when one is picked, and
 * to null when a newer ceremony (the button) replaced it.
 */
export async function signInWithPasskey(
  autofill = false,
): Promise<PasskeyResult<PasskeySignInResponse> | null> {
  const prompt = await postJson<PublicKeyCredentialRequestOptionsJSON>("/api/passkeys/sign-in/options", {});
  if (!prompt.ok) return autofill ? null : prompt;
  let response;
  try {
    response = await startAuthentication({ optionsJSON: prompt.data, useBrowserAutofill: autofill });
  } catch (error) {
    const failure = browserFailure(error);
    return autofill ? null : failure;
  }
  return postJson<PasskeySignInResponse>("/api/passkeys/sign-in", { response });
}

/** Confirms the current session with one of the account's passkeys (the admin step-up). */
export async function confirmWithPasskey(): Promise<PasskeyResult<PasskeyConfirmedResponse>> {
  const prompt = await postJson<PublicKeyCredentialRequestOptionsJSON>("/api/passkeys/confirm/options", {});
  if (!prompt.ok) return prompt;
  let response;
  try {
    response = await startAuthentication({ optionsJSON: prompt.data });
  } catch (error) {
    return browserFailure(error) ?? cancelled;
  }
  return postJson<PasskeyConfirmedResponse>("/api/passkeys/confirm", { response });
}

/** Ends a waiting autofill prompt (when the page that started it goes away). */
export function cancelPasskeyPrompt(): void {
  WebAuthnAbortService.cancelCeremony();
}
