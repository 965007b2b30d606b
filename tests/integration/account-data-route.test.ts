import type { Session } from "next-auth";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/account/data/route";
import { createSession } from "@/lib/accounts/sessions";
import { recordVerifiedSignIn } from "@/lib/accounts/users";
import { recordAdminAction } from "@/lib/admin/audit";

/** `GET /api/account/data`: the signed-in account's records, nobody else's; 401 signed out. */

// The route reads the session with Auth.js's `auth()`: here, whoever the test says is signed in.
const signedIn = vi.hoisted(() => ({ session: null as Session | null }));
vi.mock("@/lib/auth", () => ({ auth: async () => signedIn.session }));

const sessionOf = (user: { id: string; phone: string }, extra: Partial<Session> = {}) =>
  ({
    user: { id: user.id, phone: user.phone, sessionId: "", signedInAt: 0 },
    expires: "",
    ...extra,
  }) as Session;
const download = (headers: Record<string, string> = {}) =>
  GET(new Request("http://localhost/api/account/data", { headers }));

let alice: { id: string; phone: string };
let bob: { id: string; phone: string };
beforeAll(async () => {
  alice = (await recordVerifiedSignIn("+6596800003", true)).user;
  bob = (await recordVerifiedSignIn("+6596800004", true)).user;
  await createSession(alice.id, "sms", { userAgent: "Alice's browser", network: "203.0.113.0/24" });
  await createSession(bob.id, "sms", { userAgent: "Bob's browser", network: "198.51.100.0/24" });
  await recordAdminAction(sessionOf(alice), { action: "add rule", target: "block ip 203.0.113.9" });
  await recordAdminAction(sessionOf(bob), { action: "add rule", target: "block ip 198.51.100.9" });
});

describe("GET /api/account/data", () => {
  it("gives the signed-in account's records as a JSON attachment, and no other account's", async () => {
    signedIn.session = sessionOf(alice);
    const response = await download({ "sec-fetch-site": "same-origin" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="otp-shield-account-/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    const data = JSON.parse(text);
    expect(data.account).toMatchObject({ id: alice.id, phone: alice.phone, isAdmin: true });
    expect(data.sessions).toEqual([expect.objectContaining({ device: "Alice's browser", method: "sms" })]);
    expect(data.adminActions).toEqual([expect.objectContaining({ target: "block ip 203.0.113.9" })]);
    expect(text).not.toContain(bob.phone);
    expect(text).not.toContain(bob.id);
    expect(text).not.toContain("Bob's browser");
  });

  it("answers 401 signed out, 503 when the session could not be checked, 403 from another site", async () => {
    signedIn.session = null;
    const signedOut = await download();
    expect(signedOut.status).toBe(401);
    expect((await signedOut.json()).error.code).toBe("unauthorized");

    signedIn.session = sessionOf(alice, { unchecked: true });
    expect((await download()).status).toBe(503);

    signedIn.session = sessionOf(alice);
    expect((await download({ "sec-fetch-site": "cross-site" })).status).toBe(403);
  });
});
