import { bench, describe, vi } from "vitest";

// Production prices (vitest.config.ts sets cheap ones for tests), before anything reads them.
vi.hoisted(() => {
  process.env.ALTCHA_COST = "2000";
  process.env.ALTCHA_MAX_COUNTER = "2000";
});

const { createAltchaChallenge, verifyAltchaPayload } = await import("@/lib/defenses/captcha/altcha");
const forge = (challenge: unknown) =>
  Buffer.from(JSON.stringify({ challenge, solution: { counter: 1, derivedKey: "00".repeat(32) } })).toString(
    "base64",
  );
const refused = (payload: string) => verifyAltchaPayload(payload).catch(() => null);
const spent = forge(await createAltchaChallenge());
await refused(spent);

// What a challenge costs the server (`npm run bench`): issuing derives no key; a solution costs
// one derivation, once per challenge.
describe("ALTCHA, production price (ALTCHA_COST=2000, ALTCHA_MAX_COUNTER=2000)", () => {
  bench("issue a challenge", async () => {
    await createAltchaChallenge();
  });
  bench("verify a forged solution of a fresh challenge (one key derivation)", async () => {
    await refused(forge(await createAltchaChallenge()));
  });
  bench("verify a forged solution of a challenge already tried (no derivation)", async () => {
    await refused(spent);
  });
});
