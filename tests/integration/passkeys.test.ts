import { NextRequest } from "next/server";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SoftwareAuthenticator } from "../support/software-authenticator";

/**
 * The passkey endpoints end to end on the server side, against real signatures (a software
 * authenticator), the real database and the store. One admin number is listed, with the passkey
 * second factor on, as in production.
 */
const ADMIN = "+6589990107";
vi.hoisted(() => {
  process.env.ADMIN_PHONE_NUMBERS = "+6589990107";
  process.env.ADMIN_REQUIRE_PASSKEY = "true";
});

type TestSession = {
  user: { id: string; phone: string; sessionId: string; passkeyVerifiedAt: number; signedInAt: number };
};
const signedIn = vi.hoisted(() => ({ current: null as TestSession | null }));
vi.mock("@/lib/auth", async () => ({
  ...(await import("../support/auth-stand-in")),
  auth: async () => signedIn.current,
}));

const { POST: signInOptions } = await import("@/app/api/passkeys/sign-in/options/route");
const { POST: signInWithPasskey } = await import("@/app/api/passkeys/sign-in/route");
const { POST: registerOptions } = await import("@/app/api/passkeys/register/options/route");
const { POST: register } = await import("@/app/api/passkeys/register/route");
const { POST: confirmOptions } = await import("@/app/api/passkeys/confirm/options/route");
const { POST: confirm } = await import("@/app/api/passkeys/confirm/route");
const { DELETE: removeRoute, PATCH: renameRoute } = await import("@/app/api/passkeys/[id]/route");
const { recordVerifiedSignIn } = await import("@/lib/accounts/users");
const { createSession, findActiveSession } = await import("@/lib/accounts/sessions");
const { listPasskeys } = await import("@/lib/accounts/passkeys");
const { requireAdminForApi } = await import("@/lib/admin/access");
const { queryDatabase } = await import("@/lib/db");
const { passkeys } = await import("@/lib/db/schema");
const { getSandboxEmulator } = await import("@/lib/eight-by-eight");
const { createEnrollmentToken } = await import("@/lib/passkeys/enrollment");
const { signedIn: grantsRedeemed } = await import("../support/auth-stand-in");

const ORIGIN = "http://localhost";

let counter = 0;
const nextNumber = () => `+658${String(3_000_000 + (counter += 1) * 7919).slice(-7)}`;
let addressCounter = 0;
/** Each test its own /48, so no two share a limit bucket. */
const nextClientIp = () => `2001:db8:a${(addressCounter += 1).toString(16)}::1`;
let clientIp = nextClientIp();
beforeEach(() => {
  clientIp = nextClientIp();
  signedIn.current = null;
});
afterEach(() => {
  vi.useRealTimers();
});

function request(path: string, body?: unknown, cookie = "", method = "POST") {
  return new NextRequest(`${ORIGIN}${path}`, {
    method,
    headers: {
      "X-Forwarded-For": clientIp,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The challenge cookie a prompt set, as the browser sends it back. */
const cookieOf = (response: Response) => response.headers.get("set-cookie")?.split(";")[0] ?? "";

/** Signs `phone` in "with a code": an account and a session row, as the verify route makes them. */
async function signInWithCode(phone = nextNumber()) {
  const { user } = await recordVerifiedSignIn(phone, phone === ADMIN);
  const session = await createSession(user.id, "sms", { userAgent: "vitest", network: "2001:db8::/48" });
  signedIn.current = {
    user: { id: user.id, phone, sessionId: session.id, passkeyVerifiedAt: 0, signedInAt: Date.now() },
  };
  return { user, session };
}

/** What the Auth.js JWT would read from the session row on the next request. */
async function refreshSession() {
  const row = await findActiveSession(signedIn.current!.user.sessionId);
  signedIn.current!.user.passkeyVerifiedAt = row?.passkeyVerifiedAt?.getTime() ?? 0;
}

async function addPasskey(authenticator: SoftwareAuthenticator, extra: { enrollment?: string } = {}) {
  const prompt = await registerOptions(request("/api/passkeys/register/options", extra));
  expect(prompt.status).toBe(200);
  const answer = authenticator.register(await prompt.json());
  return register(request("/api/passkeys/register", { response: answer, name: "Laptop" }, cookieOf(prompt)));
}

async function promptSignIn() {
  const prompt = await signInOptions(request("/api/passkeys/sign-in/options"));
  expect(prompt.status).toBe(200);
  return { options: await prompt.json(), cookie: cookieOf(prompt) };
}

const signInWith = (answer: unknown, cookie: string) =>
  signInWithPasskey(request("/api/passkeys/sign-in", { response: answer }, cookie));

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe("adding a passkey and signing in with it", () => {
  it("signs in with a passkey added after a code sign-in, with no SMS sent", async () => {
    const { user } = await signInWithCode();
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    const added = await addPasskey(authenticator);
    expect(added.status).toBe(201);
    expect((await added.json()).passkey).toMatchObject({ name: "Laptop", lastUsedAt: null, backedUp: true });

    signedIn.current = null;
    const { options, cookie } = await promptSignIn();
    // Discoverable: the prompt names no account, so nobody types a number.
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.userVerification).toBe("required");
    const response = await signInWith(authenticator.authenticate(options), cookie);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "signed-in" });
    expect([...grantsRedeemed.values()]).toContain(user.phone);
    expect((await getSandboxEmulator())!.listMessages(user.phone)).toEqual([]);
    const [stored] = await listPasskeys(user.id);
    expect(stored!.lastUsedAt).not.toBeNull();
    expect(stored!.counter).toBe(1);
  });

  it("asks for a resident key with user verification, and excludes the account's own passkeys", async () => {
    await signInWithCode();
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    expect((await addPasskey(authenticator)).status).toBe(201);
    const prompt = await registerOptions(request("/api/passkeys/register/options", {}));
    const options = await prompt.json();
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: "required",
      userVerification: "required",
    });
    expect(options.excludeCredentials.map(({ id }: { id: string }) => id)).toEqual([
      ...authenticator.credentials.keys(),
    ]);
    expect(options.rp).toEqual({ id: "localhost", name: "OTP Shield" });
    expect(prompt.headers.get("set-cookie")).toMatch(/HttpOnly.*SameSite=strict|SameSite=strict.*HttpOnly/i);
  });

  it("refuses to add a passkey without a session (401)", async () => {
    const response = await registerOptions(request("/api/passkeys/register/options", {}));
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe("unauthorized");
  });

  it("refuses a registration answer replayed to a newer prompt (400)", async () => {
    await signInWithCode();
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    const prompt = await registerOptions(request("/api/passkeys/register/options", {}));
    const answer = authenticator.register(await prompt.json());
    const first = await register(request("/api/passkeys/register", { response: answer }, cookieOf(prompt)));
    expect(first.status).toBe(201);
    const again = await registerOptions(request("/api/passkeys/register/options", {}));
    const second = await register(request("/api/passkeys/register", { response: answer }, cookieOf(again)));
    // The old answer signs the old challenge, which is used up; the new prompt's stays for its own answer.
    expect(second.status).toBe(400);
    expect((await errorOf(second)).message).toMatch(/expired or was already used/);
  });

  it("refuses a credential id that is registered already, even to another account (409)", async () => {
    await signInWithCode();
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    expect((await addPasskey(authenticator)).status).toBe(201);
    const [taken] = authenticator.credentials.keys();
    await signInWithCode();
    const prompt = await registerOptions(request("/api/passkeys/register/options", {}));
    const answer = new SoftwareAuthenticator(ORIGIN, "localhost").register(await prompt.json(), {}, taken);
    const response = await register(
      request("/api/passkeys/register", { response: answer }, cookieOf(prompt)),
    );
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toEqual({
      code: "conflict",
      message: "This passkey is already registered.",
    });
  });
});

describe("challenges", () => {
  it("accept one answer only: a replayed sign-in is refused", async () => {
    await signInWithCode();
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    await addPasskey(authenticator);
    const { options, cookie } = await promptSignIn();
    const answer = authenticator.authenticate(options);
    expect((await signInWith(answer, cookie)).status).toBe(200);
    const replay = await signInWith(answer, cookie);
    expect(replay.status).toBe(400);
    expect(await errorOf(replay)).toEqual({
      code: "bad_request",
      message: "This passkey request has expired or was already used. Please try again.",
    });
  });

  it("a newer prompt refuses an older one's answer, which leaves the newer one's answer to sign in", async () => {
    // The sign-in page's autofill prompt, then its button: the autofill's answer arrives second-best.
    await signInWithCode();
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    await addPasskey(authenticator);
    const autofill = await promptSignIn();
    const button = await promptSignIn();
    const stale = await signInWith(authenticator.authenticate(autofill.options), button.cookie);
    expect(stale.status).toBe(400);
    expect((await errorOf(stale)).message).toMatch(/expired or was already used/);
    expect((await signInWith(authenticator.authenticate(button.options), button.cookie)).status).toBe(200);
  });

  it("expire with the prompt", async () => {
    await signInWithCode();
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    await addPasskey(authenticator);
    const { options, cookie } = await promptSignIn();
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 301_000 });
    const late = await signInWith(authenticator.authenticate(options), cookie);
    expect(late.status).toBe(400);
    expect((await errorOf(late)).message).toMatch(/expired/);
  });

  it("are bound to the browser that asked: an answer without its cookie is refused", async () => {
    await signInWithCode();
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    await addPasskey(authenticator);
    const { options } = await promptSignIn();
    const response = await signInWith(authenticator.authenticate(options), "");
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/no passkey request waiting/);
  });

  it("are bound to their purpose: a sign-in prompt's challenge cannot confirm a session", async () => {
    await signInWithCode();
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    await addPasskey(authenticator);
    const { options, cookie } = await promptSignIn();
    const response = await confirm(
      request("/api/passkeys/confirm", { response: authenticator.authenticate(options) }, cookie),
    );
    expect(response.status).toBe(400);
  });
});

describe("answers that must not sign anyone in", () => {
  async function readyToSignIn(counterStep = 1) {
    await signInWithCode();
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost", counterStep);
    await addPasskey(authenticator);
    signedIn.current = null;
    return authenticator;
  }

  it("refuses an answer made for another origin (403)", async () => {
    const authenticator = await readyToSignIn();
    const { options, cookie } = await promptSignIn();
    const response = await signInWith(
      authenticator.authenticate(options, { origin: "https://evil.example" }),
      cookie,
    );
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toEqual({
      code: "forbidden",
      message: "This passkey answer was made for another site.",
    });
  });

  it("refuses an answer signed for another RP ID (403)", async () => {
    const authenticator = await readyToSignIn();
    const { options, cookie } = await promptSignIn();
    const response = await signInWith(authenticator.authenticate(options, { rpId: "evil.example" }), cookie);
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toMatch(/another site/);
  });

  it("refuses a signature counter that goes back (a cloned authenticator, 403)", async () => {
    const authenticator = await readyToSignIn();
    const first = await promptSignIn();
    expect((await signInWith(authenticator.authenticate(first.options), first.cookie)).status).toBe(200);
    const second = await promptSignIn();
    const response = await signInWith(
      authenticator.authenticate(second.options, { counter: 1 }),
      second.cookie,
    );
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toMatch(/may have been copied/);
  });

  it("accepts a counterless passkey (always 0) again and again", async () => {
    const authenticator = await readyToSignIn(0);
    for (let use = 0; use < 2; use += 1) {
      const { options, cookie } = await promptSignIn();
      expect((await signInWith(authenticator.authenticate(options), cookie)).status).toBe(200);
    }
  });

  it("refuses an answer without user verification (400)", async () => {
    const authenticator = await readyToSignIn();
    const { options, cookie } = await promptSignIn();
    const response = await signInWith(authenticator.authenticate(options, { unverified: true }), cookie);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/PIN, fingerprint or face/);
  });

  it("refuses an unknown credential with a way forward (400)", async () => {
    const stranger = new SoftwareAuthenticator(ORIGIN, "localhost");
    stranger.register({
      challenge: "x",
      rp: { id: "localhost", name: "x" },
      user: { id: "dW5rbm93bg", name: "x", displayName: "x" },
      pubKeyCredParams: [],
    });
    const { options, cookie } = await promptSignIn();
    const response = await signInWith(stranger.authenticate(options), cookie);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/isn't registered here.*account page/);
  });

  it("refuses a forged signature (400)", async () => {
    const authenticator = await readyToSignIn();
    const { options, cookie } = await promptSignIn();
    const answer = authenticator.authenticate(options);
    const forged = {
      ...answer,
      response: { ...answer.response, signature: answer.response.signature.slice(0, -4) + "AAAA" },
    };
    const response = await signInWith(forged, cookie);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/couldn't verify/);
  });

  it("refuses a malformed answer by its shape (400), before any verification", async () => {
    const { cookie } = await promptSignIn();
    const response = await signInWith({ id: "not base64url!", type: "public-key" }, cookie);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe("bad_request");
  });

  it("refuses another account's passkey as a confirmation (403)", async () => {
    await signInWithCode();
    const theirs = new SoftwareAuthenticator(ORIGIN, "localhost");
    await addPasskey(theirs);
    await signInWithCode();
    await addPasskey(new SoftwareAuthenticator(ORIGIN, "localhost"));
    const prompt = await confirmOptions(request("/api/passkeys/confirm/options"));
    const response = await confirm(
      request(
        "/api/passkeys/confirm",
        { response: theirs.authenticate(await prompt.json()) },
        cookieOf(prompt),
      ),
    );
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toMatch(/belongs to another account/);
  });

  it("limits passkey requests per address (429 with Retry-After)", async () => {
    let last: Response | undefined;
    for (let attempt = 0; attempt < 31; attempt += 1)
      last = await signInOptions(request("/api/passkeys/sign-in/options"));
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("managing passkeys", () => {
  it("renames and removes only the account's own passkeys", async () => {
    await signInWithCode();
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    const { passkey } = await (await addPasskey(authenticator)).json();
    const path = `/api/passkeys/${passkey.id}`;
    expect((await renameRoute(request(path, { name: "Work phone" }, "", "PATCH"))).status).toBe(200);
    expect((await listPasskeys(signedIn.current!.user.id))[0]!.name).toBe("Work phone");
    expect((await renameRoute(request(path, { name: "" }, "", "PATCH"))).status).toBe(400);

    const owner = signedIn.current;
    await signInWithCode();
    const notMine = await removeRoute(request(path, undefined, "", "DELETE"));
    expect(notMine.status).toBe(404);
    signedIn.current = owner;
    expect((await removeRoute(request(path, undefined, "", "DELETE"))).status).toBe(200);
    expect(await listPasskeys(owner!.user.id)).toEqual([]);
  });
});

describe("the admin second factor", () => {
  it("adds an admin's first passkey only with an enrollment link for that number, used once", async () => {
    await signInWithCode(ADMIN);
    const refused = await registerOptions(request("/api/passkeys/register/options", {}));
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toMatch(/enrollment link/);

    const forOther = await registerOptions(
      request("/api/passkeys/register/options", { enrollment: createEnrollmentToken("+6589990108") }),
    );
    expect(forOther.status).toBe(403);

    // Two prompts on one link (two tabs): the first passkey uses it up, atomically.
    const enrollment = createEnrollmentToken(ADMIN);
    const first = await registerOptions(request("/api/passkeys/register/options", { enrollment }));
    const second = await registerOptions(request("/api/passkeys/register/options", { enrollment }));
    const added = await register(
      request(
        "/api/passkeys/register",
        { response: new SoftwareAuthenticator(ORIGIN, "localhost").register(await first.json()) },
        cookieOf(first),
      ),
    );
    expect(added.status).toBe(201);
    expect((await added.json()).passkey.enrolledForAdmin).toBe(true);
    const raced = await register(
      request(
        "/api/passkeys/register",
        { response: new SoftwareAuthenticator(ORIGIN, "localhost").register(await second.json()) },
        cookieOf(second),
      ),
    );
    expect(raced.status).toBe(403);
    expect((await errorOf(raced)).message).toMatch(/was used/);

    // Once used, the link is refused before any prompt.
    const reused = await registerOptions(request("/api/passkeys/register/options", { enrollment }));
    expect(reused.status).toBe(403);
    expect((await errorOf(reused)).message).toMatch(/was used/);
  });

  it("refuses an expired or forged enrollment link", async () => {
    await signInWithCode(ADMIN);
    const expired = createEnrollmentToken(ADMIN, Date.now() - 16 * 60_000);
    const forged = createEnrollmentToken(ADMIN).slice(0, -3) + "abc";
    for (const enrollment of [expired, forged]) {
      const response = await registerOptions(request("/api/passkeys/register/options", { enrollment }));
      expect(response.status).toBe(403);
    }
  });

  it("grants admin rights after a code only once the session is confirmed with a passkey", async () => {
    await signInWithCode(ADMIN);
    await expect(requireAdminForApi()).rejects.toMatchObject({
      code: "forbidden",
      message: /Confirm with your passkey/,
    });

    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    expect((await addPasskey(authenticator, { enrollment: createEnrollmentToken(ADMIN) })).status).toBe(201);
    // Adding the passkey is not proving it in this session.
    await refreshSession();
    await expect(requireAdminForApi()).rejects.toMatchObject({ code: "forbidden" });

    const prompt = await confirmOptions(request("/api/passkeys/confirm/options"));
    const options = await prompt.json();
    // Only passkeys enrolled for admin use are offered (the admin number has others from earlier tests).
    const offered = options.allowCredentials.map(({ id }: { id: string }) => id);
    expect(offered).toContain([...authenticator.credentials.keys()][0]);
    const enrolled = (await listPasskeys(signedIn.current!.user.id)).filter((key) => key.enrolledForAdmin);
    expect(offered.sort()).toEqual(enrolled.map(({ id }) => id).sort());
    const confirmed = await confirm(
      request("/api/passkeys/confirm", { response: authenticator.authenticate(options) }, cookieOf(prompt)),
    );
    expect(confirmed.status).toBe(200);
    await refreshSession();
    await expect(requireAdminForApi()).resolves.toBeTruthy();

    // Past the admin window the confirmation no longer counts.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 121 * 60_000 });
    await expect(requireAdminForApi()).rejects.toMatchObject({ code: "forbidden" });
  });

  it("signs an admin in with an enrolled passkey, straight to admin rights", async () => {
    await signInWithCode(ADMIN);
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    await addPasskey(authenticator, { enrollment: createEnrollmentToken(ADMIN) });
    signedIn.current = null;
    const { options, cookie } = await promptSignIn();
    expect((await signInWith(authenticator.authenticate(options), cookie)).status).toBe(200);
  });

  it("refuses an admin sign-in with a passkey not enrolled for admin use", async () => {
    const { user } = await signInWithCode(ADMIN);
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    await addPasskey(authenticator, { enrollment: createEnrollmentToken(ADMIN) });
    // As if it had been added before the number was made an admin's.
    await queryDatabase("test", (db) =>
      db.update(passkeys).set({ enrolledForAdmin: false }).where(eq(passkeys.userId, user.id)),
    );
    const { options, cookie } = await promptSignIn();
    const response = await signInWith(authenticator.authenticate(options), cookie);
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toMatch(/enrollment link/);
  });

  it("removes an admin's passkey only after a recent confirmation, and lets it add more then", async () => {
    await signInWithCode(ADMIN);
    const authenticator = new SoftwareAuthenticator(ORIGIN, "localhost");
    const { passkey } = await (
      await addPasskey(authenticator, { enrollment: createEnrollmentToken(ADMIN) })
    ).json();
    const path = `/api/passkeys/${passkey.id}`;
    const refused = await removeRoute(request(path, undefined, "", "DELETE"));
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toMatch(/Confirm with one of your passkeys/);

    const prompt = await confirmOptions(request("/api/passkeys/confirm/options"));
    await confirm(
      request(
        "/api/passkeys/confirm",
        { response: authenticator.authenticate(await prompt.json()) },
        cookieOf(prompt),
      ),
    );
    await refreshSession();
    const second = await addPasskey(new SoftwareAuthenticator(ORIGIN, "localhost"));
    expect(second.status).toBe(201);
    expect((await second.json()).passkey.enrolledForAdmin).toBe(true);
    expect((await removeRoute(request(path, undefined, "", "DELETE"))).status).toBe(200);
  });
});
