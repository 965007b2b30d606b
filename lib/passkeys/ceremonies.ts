import "server-only";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import {
  addPasskey,
  countPasskeys,
  findPasskey,
  listPasskeys,
  recordPasskeyUse,
  type PasskeyRecord,
} from "@/lib/accounts/passkeys";
import { markPasskeyVerified } from "@/lib/accounts/sessions";
import { getUserById, recordVerifiedSignIn, type User } from "@/lib/accounts/users";
import { isWithinAdminWindow, passkeyRequiredFor } from "@/lib/admin/access";
import type { AuthenticationRequest, PasskeySummary, RegistrationRequest } from "@/lib/api/passkeys";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { refusal } from "@/lib/http/errors";
import type { RuleName } from "@/lib/http/refusals";
import { holdChallenge, takeChallenge } from "./challenges";
import { claimEnrollment, isEnrollmentUsed, readEnrollmentToken } from "./enrollment";
import { relyingPartyFor } from "./relying-party";

/**
 * The three passkey ceremonies — add one (registration), sign in with one, and confirm the
 * current session with one (the admin step-up) — each a prompt (options for the browser, with a
 * single-use challenge: ./challenges.ts) and an answer verified by SimpleWebAuthn.
 *
 * Every passkey is discoverable (a "resident key": the browser can offer it without being told
 * the account, so nobody types a number) and every use requires user verification (PIN or
 * biometrics): a passkey alone is then a multi-factor authenticator (NIST SP 800-63B, AAL2).
 * No attestation is asked for: we trust the passkey's key, not the maker of the device.
 */

type CookieRequest = Request & { cookies: { get(name: string): { value: string } | undefined } };

/** What the ceremonies know of the signed-in browser (from its Auth.js session). */
export type SignedInSession = {
  userId: string;
  phone: string;
  sessionId: string;
  /** When this session last proved a passkey (ms), or 0. */
  passkeyVerifiedAt: number;
};

type Options<T> = { options: T; cookie: Awaited<ReturnType<typeof holdChallenge>> };

const TIMEOUT_MS = config.passkeys.challengeLifetime.value * 1000;

/** Passkeys are looked up by the user's id, which is all a passkey keeps of the account. */
const userHandleOf = (userId: string) => new TextEncoder().encode(userId);

/**
 * The prompt to add a passkey. An admin account under the passkey second factor needs an
 * enrollment link (`enrollment`) or a recent passkey confirmation: a code alone must not mint an
 * admin's second factor (./enrollment.ts says why).
 */
export async function startRegistration(
  request: CookieRequest,
  session: SignedInSession,
  enrollment?: string,
): Promise<Options<PublicKeyCredentialCreationOptionsJSON>> {
  const env = getEnv();
  if (enrollment !== undefined) {
    // Said before the prompt, not after it: a used link is refused without asking the device.
    if (await isEnrollmentUsed(requireEnrollmentFor(session, enrollment))) {
      throw refusal("passkey.enrollment_invalid");
    }
  } else if (passkeyRequiredFor(env, session.phone) && !isWithinAdminWindow(env, session.passkeyVerifiedAt)) {
    throw refusal("passkey.admin_enrollment_required");
  }
  const existing = await listPasskeys(session.userId);
  if (existing.length >= config.passkeys.maxPerAccount.value) throw refusal("passkey.too_many");

  const rp = relyingPartyFor(request);
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userID: userHandleOf(session.userId),
    // What the person's passkey manager lists the passkey under: their own number.
    userName: session.phone,
    userDisplayName: session.phone,
    timeout: TIMEOUT_MS,
    attestationType: "none",
    // The browser refuses to make a second passkey for this account on the same authenticator.
    excludeCredentials: existing.map(({ id, transports }) => ({ id, transports })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  const cookie = await holdChallenge(request, options.challenge, {
    purpose: "register",
    sessionId: session.sessionId,
    enrollment: enrollment ?? null,
  });
  return { options, cookie };
}

/** Verifies the new passkey and stores it; the passkey as the account page lists it. */
export async function finishRegistration(
  request: CookieRequest,
  session: SignedInSession,
  { response, name }: RegistrationRequest,
): Promise<PasskeySummary> {
  const held = await takeChallenge(request, response, "register", session.sessionId);
  const rp = relyingPartyFor(request);
  const verification = await verifyAnswer(() =>
    verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: held.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    }),
  );
  if (!verification.verified) throw refusal("passkey.invalid");
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;

  const env = getEnv();
  let enrolledForAdmin = false;
  if (held.enrollment !== null) {
    const enrollment = requireEnrollmentFor(session, held.enrollment);
    if (!(await claimEnrollment(enrollment))) throw refusal("passkey.enrollment_invalid");
    enrolledForAdmin = true;
  } else if (passkeyRequiredFor(env, session.phone)) {
    // Checked again: the confirmation may have run out while the person was at the prompt.
    if (!isWithinAdminWindow(env, session.passkeyVerifiedAt))
      throw refusal("passkey.admin_enrollment_required");
    enrolledForAdmin = true;
  }
  if ((await countPasskeys(session.userId)) >= config.passkeys.maxPerAccount.value) {
    throw refusal("passkey.too_many");
  }
  const record = {
    id: credential.id,
    userId: session.userId,
    publicKey: credential.publicKey,
    counter: credential.counter,
    transports: credential.transports ?? [],
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
    name: name ?? `Passkey ${new Date().toISOString().slice(0, 10)}`,
    enrolledForAdmin,
  };
  if (!(await addPasskey(record))) throw refusal("passkey.already_registered");
  return summarizePasskey({ ...record, createdAt: new Date(), lastUsedAt: null });
}

/**
 * The sign-in prompt: no account named, so the browser offers any passkey it holds for this site
 * (as a button's modal, or in the phone field's autofill: conditional mediation).
 */
export async function startSignIn(
  request: CookieRequest,
): Promise<Options<PublicKeyCredentialRequestOptionsJSON>> {
  const rp = relyingPartyFor(request);
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    timeout: TIMEOUT_MS,
    userVerification: "required",
  });
  return { options, cookie: await holdChallenge(request, options.challenge, { purpose: "sign-in" }) };
}

/** Verifies a sign-in answer; the account it signs in (its last sign-in recorded). */
export async function finishSignIn(
  request: CookieRequest,
  { response }: AuthenticationRequest,
): Promise<User> {
  const held = await takeChallenge(request, response, "sign-in");
  const passkey = await findPasskey(response.id);
  if (!passkey) throw refusal("passkey.unknown");
  const owner = await getUserById(passkey.userId);
  if (!owner) throw refusal("passkey.unknown");
  await verifyUse(request, passkey, response as AuthenticationResponseJSON, held.challenge);
  // After the signature: a caller without the passkey learns nothing about it.
  requireAdminUse(owner.phone, passkey);
  // Stamps the account's last sign-in, as a code does.
  return (await recordVerifiedSignIn(owner.phone)).user;
}

/**
 * The confirmation prompt (step-up): only the account's own passkeys are offered — for an admin
 * under the second factor, only those enrolled for admin use.
 */
export async function startConfirmation(
  request: CookieRequest,
  session: SignedInSession,
): Promise<Options<PublicKeyCredentialRequestOptionsJSON>> {
  const rp = relyingPartyFor(request);
  const admin = passkeyRequiredFor(getEnv(), session.phone);
  const own = (await listPasskeys(session.userId)).filter((passkey) => !admin || passkey.enrolledForAdmin);
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    timeout: TIMEOUT_MS,
    userVerification: "required",
    allowCredentials: own.map(({ id, transports }) => ({ id, transports })),
  });
  const cookie = await holdChallenge(request, options.challenge, {
    purpose: "confirm",
    sessionId: session.sessionId,
  });
  return { options, cookie };
}

/** Verifies a confirmation and records it on the session: the admin second factor is met. */
export async function finishConfirmation(
  request: CookieRequest,
  session: SignedInSession,
  { response }: AuthenticationRequest,
): Promise<void> {
  const held = await takeChallenge(request, response, "confirm", session.sessionId);
  const passkey = await findPasskey(response.id);
  if (!passkey) throw refusal("passkey.unknown");
  if (passkey.userId !== session.userId) throw refusal("passkey.other_account");
  await verifyUse(request, passkey, response as AuthenticationResponseJSON, held.challenge);
  requireAdminUse(session.phone, passkey);
  await markPasskeyVerified(session.sessionId);
}

/** Whether a passkey may be removed now: an admin's, only after a recent confirmation. */
export function requireRemovalAllowed(session: SignedInSession): void {
  const env = getEnv();
  if (passkeyRequiredFor(env, session.phone) && !isWithinAdminWindow(env, session.passkeyVerifiedAt)) {
    throw refusal("passkey.confirm_required");
  }
}

export function summarizePasskey(passkey: PasskeyRecord): PasskeySummary {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    backedUp: passkey.backedUp,
    enrolledForAdmin: passkey.enrolledForAdmin,
  };
}

/** An enrollment link must be ours, unexpired, and for the signed-in number. */
function requireEnrollmentFor(session: SignedInSession, token: string) {
  const enrollment = readEnrollmentToken(token);
  if (!enrollment || enrollment.phone !== session.phone) throw refusal("passkey.enrollment_invalid");
  return enrollment;
}

/** Under the admin second factor, only passkeys enrolled for admin use sign an admin in. */
function requireAdminUse(phone: string, passkey: PasskeyRecord): void {
  if (passkeyRequiredFor(getEnv(), phone) && !passkey.enrolledForAdmin) {
    throw refusal("passkey.not_enrolled_for_admin");
  }
}

/** Verifies a passkey's answer (signature, challenge, origin, RP ID, user verification, counter). */
async function verifyUse(
  request: Request,
  passkey: PasskeyRecord,
  response: AuthenticationResponseJSON,
  challenge: string,
): Promise<void> {
  // The account a discoverable passkey names must be the one it is registered to.
  const handle = response.response.userHandle;
  if (handle && handle !== isoBase64URL.fromBuffer(userHandleOf(passkey.userId))) {
    throw refusal("passkey.invalid");
  }
  const rp = relyingPartyFor(request);
  const verification = await verifyAnswer(() =>
    verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.id,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: passkey.counter,
        transports: passkey.transports,
      },
      requireUserVerification: true,
    }),
  );
  if (!verification.verified) throw refusal("passkey.invalid");
  // Two uses racing with one counter value: only one is recorded (a clone, or a replay).
  const recorded = await recordPasskeyUse(
    passkey.id,
    passkey.counter,
    verification.authenticationInfo.newCounter,
  );
  if (!recorded) throw refusal("passkey.counter");
}

/**
 * Runs a SimpleWebAuthn verification, turning what it throws into a refusal a person can act on.
 * SimpleWebAuthn reports every failure as an Error with a message (no codes), so the few that
 * deserve their own words are told apart by those messages; tests/integration/passkeys.test.ts
 * covers each, so an upgrade that rewords them fails there. The library's text never reaches the
 * client.
 */
async function verifyAnswer<T>(verify: () => Promise<T>): Promise<T> {
  try {
    return await verify();
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    const rule: RuleName = /origin|RP ID/i.test(message)
      ? "passkey.origin"
      : /counter/i.test(message)
        ? "passkey.counter"
        : /user verification/i.test(message)
          ? "passkey.user_verification"
          : "passkey.invalid";
    throw refusal(rule);
  }
}
