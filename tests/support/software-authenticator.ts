import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { isoBase64URL, isoCBOR } from "@simplewebauthn/server/helpers";

/**
 * A WebAuthn authenticator in software, for Vitest: it makes the same answers a browser and a
 * passkey would (ES256 keys, "none" attestation, a signature counter), so the server side is
 * tested against real signatures — and can be made to lie (another origin, a counter that goes
 * back, no user verification). The browser tests use Chromium's own virtual authenticator.
 * No library makes these answers for Node; the format is WebAuthn §6.1 and §6.5.
 */
type Credential = { id: string; privateKey: KeyObject; userHandle: string; counter: number };

export type Lies = {
  /** The origin the "browser" reports (default: the authenticator's). */
  origin?: string;
  /** The RP ID whose hash the authenticator signs (default: the authenticator's). */
  rpId?: string;
  /** The counter to report instead of the next one. */
  counter?: number;
  /** Report that the user was not verified (no PIN or biometrics). */
  unverified?: boolean;
};

export class SoftwareAuthenticator {
  readonly credentials = new Map<string, Credential>();

  constructor(
    readonly origin: string,
    readonly rpId: string,
    /** 0: a counterless passkey (as most synced ones), which always reports 0. */
    readonly counterStep = 1,
  ) {}

  /** Makes a new credential for the prompt (with `reuseId`, under a credential id made before). */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    lies: Lies = {},
    reuseId?: string,
  ): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const idBytes = reuseId ? Buffer.from(isoBase64URL.toBuffer(reuseId)) : randomBytes(16);
    const id = isoBase64URL.fromBuffer(new Uint8Array(idBytes));
    this.credentials.set(id, { id, privateKey, userHandle: options.user.id, counter: 0 });

    const jwk = publicKey.export({ format: "jwk" });
    const coseKey = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, isoBase64URL.toBuffer(jwk.x!)],
      [-3, isoBase64URL.toBuffer(jwk.y!)],
    ]);
    const attested = Buffer.concat([
      Buffer.alloc(16), // AAGUID: none
      Buffer.from([idBytes.length >> 8, idBytes.length & 0xff]),
      idBytes,
      Buffer.from(isoCBOR.encode(coseKey)),
    ]);
    const authData = this.authenticatorData(lies, 0, 0x40, attested);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]) as never,
    );
    return {
      id,
      rawId: id,
      type: "public-key",
      clientExtensionResults: {},
      response: {
        clientDataJSON: this.clientData("webauthn.create", options.challenge, lies),
        attestationObject: isoBase64URL.fromBuffer(attestationObject),
        transports: ["internal"],
      },
    };
  }

  /** Answers a sign-in or confirmation prompt with `credentialId` (default: the only or first credential). */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    lies: Lies = {},
    credentialId = [...this.credentials.keys()][0]!,
  ): AuthenticationResponseJSON {
    const credential = this.credentials.get(credentialId)!;
    credential.counter += this.counterStep;
    const authData = this.authenticatorData(lies, lies.counter ?? credential.counter, 0);
    const clientDataJSON = this.clientData("webauthn.get", options.challenge, lies);
    const clientDataHash = createHash("sha256").update(isoBase64URL.toBuffer(clientDataJSON)).digest();
    const signature = sign("sha256", Buffer.concat([authData, clientDataHash]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: "public-key",
      clientExtensionResults: {},
      response: {
        clientDataJSON,
        authenticatorData: isoBase64URL.fromBuffer(new Uint8Array(authData)),
        signature: isoBase64URL.fromBuffer(new Uint8Array(signature)),
        userHandle: credential.userHandle,
      },
    };
  }

  private clientData(type: string, challenge: string, lies: Lies): string {
    const json = JSON.stringify({ type, challenge, origin: lies.origin ?? this.origin, crossOrigin: false });
    return isoBase64URL.fromBuffer(new TextEncoder().encode(json));
  }

  private authenticatorData(lies: Lies, counter: number, extraFlags: number, attested?: Buffer): Buffer {
    const rpIdHash = createHash("sha256")
      .update(lies.rpId ?? this.rpId)
      .digest();
    // UP (user present), UV (user verified) unless told to lie, BE+BS (a synced passkey).
    const flags = 0x01 | (lies.unverified ? 0 : 0x04) | 0x08 | 0x10 | extraFlags;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([rpIdHash, Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }
}
