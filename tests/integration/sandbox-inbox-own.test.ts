import { NextRequest } from "next/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { solveAltcha } from "../support/altcha";

/**
 * The public demo (`SANDBOX_INBOX=own`): a browser sees only the messages of its own pending
 * verification, whatever number it asks for, and the sandbox's test controls are off.
 */
process.env.SANDBOX_INBOX = "own";
afterAll(() => {
  delete process.env.SANDBOX_INBOX;
});

type Routes = {
  send: (request: NextRequest) => Promise<Response>;
  messages: (request: NextRequest) => Promise<Response>;
  faults: (request: NextRequest) => Promise<Response>;
  captcha: () => Promise<string>;
};
let routes: Routes;

beforeAll(async () => {
  const [{ POST: send }, { GET: messages }, { POST: faults }, { createAltchaChallenge }] = await Promise.all([
    import("@/app/api/otp/send/route"),
    import("@/app/api/sandbox/messages/route"),
    import("@/app/api/sandbox/faults/route"),
    import("@/lib/defenses/captcha"),
  ]);
  routes = { send, messages, faults, captcha: async () => solveAltcha(await createAltchaChallenge()) };
});

async function sendAs(phone: string, address: string): Promise<string> {
  const response = await routes.send(
    new NextRequest("http://localhost/api/otp/send", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Forwarded-For": address },
      body: JSON.stringify({ phone, captcha: await routes.captcha() }),
    }),
  );
  expect(response.status).toBe(202);
  return response.headers.get("set-cookie")!.split(";")[0]!;
}

const inbox = async (query: string, cookie?: string) => {
  const response = await routes.messages(
    new NextRequest(`http://localhost/api/sandbox/messages${query}`, {
      headers: cookie ? { Cookie: cookie } : {},
    }),
  );
  return ((await response.json()) as { messages: { to: string }[] }).messages;
};

it("shows a visitor only the code of their own pending sign-in", async () => {
  const mine = await sendAs("+6581110101", "2001:db8:ee:1::1");
  await sendAs("+6581110202", "2001:db8:ee:2::1");

  expect((await inbox("", mine)).map((message) => message.to)).toEqual(["+6581110101"]);
  expect((await inbox("?to=%2B6581110202", mine)).map((message) => message.to)).toEqual(["+6581110101"]);
  expect(await inbox("?to=%2B6581110202")).toEqual([]);
});

it("turns the sandbox's fault controls off", async () => {
  const response = await routes.faults(
    new NextRequest("http://localhost/api/sandbox/faults", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "hang" }),
    }),
  );
  expect(response.status).toBe(404);
});
