import { z } from "zod";
import { config } from "@/lib/config";

/**
 * The bodies of the `/api/passkeys/…` endpoints. The browser's WebAuthn answers are the JSON that
 * @simplewebauthn/browser makes (`RegistrationResponseJSON`, `AuthenticationResponseJSON`): their
 * shape is checked here, bounded, before SimpleWebAuthn verifies what they say.
 */

const base64url = (max: number) =>
  z
    .string()
    .max(max, "A passkey field is too long.")
    .regex(/^[A-Za-z0-9_-]*$/, "A passkey field is not base64url.");

const credentialFields = {
  id: base64url(1400),
  rawId: base64url(1400),
  type: z.literal("public-key"),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

export const registrationResponseSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: base64url(2048),
    attestationObject: base64url(2400),
    authenticatorData: base64url(2048).optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(1024).optional(),
  }),
});

export const authenticationResponseSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: base64url(2048),
    authenticatorData: base64url(2048),
    signature: base64url(1024),
    userHandle: base64url(256).optional(),
  }),
});

export const passkeyNameSchema = z
  .string({ error: "Give the passkey a name." })
  .trim()
  .min(1, "Give the passkey a name.")
  .max(config.passkeys.maxName.value, `A name has at most ${config.passkeys.maxName.value} characters.`);

/** `POST /api/passkeys/register/options`: an admin enrollment link's token, when there is one. */
export const registrationOptionsRequestSchema = z
  .object({ enrollment: z.string().max(512).optional() })
  .strict();

/** `POST /api/passkeys/register`: the new passkey and, optionally, its name. */
export const registrationRequestSchema = z
  .object({ response: registrationResponseSchema, name: passkeyNameSchema.optional() })
  .strict();
export type RegistrationRequest = z.infer<typeof registrationRequestSchema>;

/** `POST /api/passkeys/sign-in` and `POST /api/passkeys/confirm`: the passkey's answer. */
export const authenticationRequestSchema = z.object({ response: authenticationResponseSchema }).strict();
export type AuthenticationRequest = z.infer<typeof authenticationRequestSchema>;

/** `PATCH /api/passkeys/{id}`: a new name. */
export const renamePasskeyRequestSchema = z.object({ name: passkeyNameSchema }).strict();

/** A passkey as the account page shows it (never its public key). */
export type PasskeySummary = {
  id: string;
  name: string;
  /** ISO 8601. */
  createdAt: string;
  lastUsedAt: string | null;
  /** Synced across the person's devices (a password manager), or bound to one device. */
  backedUp: boolean;
  enrolledForAdmin: boolean;
};

export type RegisteredPasskeyResponse = { status: "registered"; passkey: PasskeySummary };
export type PasskeySignInResponse = { status: "signed-in" };
export type PasskeyConfirmedResponse = { status: "confirmed" };
