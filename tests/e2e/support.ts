import { expect, test as base, type APIRequestContext, type Page } from "@playwright/test";
import { solveChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";

/** A fresh, valid Singapore mobile number, so tests never share state (no flushing needed). */
export function randomPhone(): { e164: string; national: string } {
  const national = `8${1 + Math.floor(Math.random() * 8)}${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  return { e164: `+65${national}`, national: `${national.slice(0, 4)} ${national.slice(4)}` };
}

/**
 * Where the running test's codes arrive: the app's own sandbox (relative URLs), or, for the admin
 * project, the standalone emulator its instance calls as 8x8 (playwright.config.ts).
 */
export function sandboxBase(): string {
  return (test.info().project.metadata as { sandboxUrl?: string }).sandboxUrl ?? "";
}

/**
 * The newest code the sandbox "sent" to a number, waiting for it to arrive: the send has been
 * answered by then, but the inbox's reader shares two cores with a second worker's servers (a CI
 * run saw the default 5 s pass).
 */
export async function readLatestCode(
  request: APIRequestContext,
  e164: string,
  previous?: string,
): Promise<string> {
  let code = "";
  await expect
    .poll(
      async () => {
        const response = await request.get(
          `${sandboxBase()}/api/sandbox/messages?to=${encodeURIComponent(e164)}`,
        );
        const { messages } = (await response.json()) as { messages: { code: string; sentAt: string }[] };
        code = messages[0]?.code ?? "";
        return messages.length > 0 && (previous === undefined || messages.length > Number(previous));
      },
      { message: `a code in the sandbox inbox for ${e164}`, timeout: 15_000 },
    )
    .toBe(true);
  return code;
}

/**
 * A fresh Singapore landline (+65 62…): the send policy reads the number and then refuses it
 * (`destination.line_type.fixed_line`), so the refusal's throttle event names the number, which a
 * forged CAPTCHA's does not (it is refused before the number is read). No SMS is sent.
 */
export function randomLandline(): string {
  return `+6562${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
}

export async function countMessages(request: APIRequestContext, e164: string): Promise<number> {
  const response = await request.get(`${sandboxBase()}/api/sandbox/messages?to=${encodeURIComponent(e164)}`);
  return ((await response.json()) as { messages: unknown[] }).messages.length;
}

/** Moves a number's pending sandbox session forward in time (resend countdowns, expiry). */
export async function advanceSandboxSession(request: APIRequestContext, e164: string, seconds: number) {
  const response = await request.post(`${sandboxBase()}/api/sandbox/sessions/advance`, {
    data: { to: e164, seconds },
  });
  expect(response.status()).toBe(200);
}

/** Fetches and solves an ALTCHA challenge from the app, as the widget would (cheap in tests). */
export async function solvedCaptcha(
  request: APIRequestContext,
  base = "",
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await request.get(`${base}/api/captcha/challenge`, { headers });
  expect(response.status()).toBe(200);
  const challenge = await response.json();
  const solution = await solveChallenge({ challenge, deriveKey });
  return Buffer.from(JSON.stringify({ challenge, solution })).toString("base64");
}

/** `POST /api/otp/send` through the HTTP API with a solved CAPTCHA. */
export async function sendCodeViaApi(request: APIRequestContext, body: Record<string, unknown>, base = "") {
  const send = async () =>
    request.post(`${base}/api/otp/send`, { data: { ...body, captcha: await solvedCaptcha(request, base) } });
  const sent = await send();
  // A solved challenge is refused (403 captcha_failed) only when attack mode began after it was bought, which the
  // suite's own traffic can switch on at any moment: solve one at the new price, once, as the page does.
  const refusedCaptcha =
    sent.status() === 403 &&
    ((await sent.json()) as { error?: { code?: string } }).error?.code === "captcha_failed";
  return refusedCaptcha ? send() : sent;
}

/**
 * Signs a number in through the HTTP API, as a script would. A code sent to this number in the
 * last resend interval (a previous run against the same server) is aged out first.
 */
export async function signInViaApi(request: APIRequestContext, e164: string): Promise<void> {
  let sent = await sendCodeViaApi(request, { phone: e164 });
  if (sent.status() === 429) {
    // A code went to this number moments ago (another test): let its resend delay pass.
    await advanceSandboxSession(request, e164, 3600);
    sent = await sendCodeViaApi(request, { phone: e164 });
  }
  expect(sent.status()).toBe(202);
  const code = (await latestMessages(request, e164))[0]!.code;
  expect((await request.post("/api/otp/verify", { data: { code } })).status()).toBe(200);
}

async function latestMessages(request: APIRequestContext, e164: string): Promise<{ code: string }[]> {
  const response = await request.get(`${sandboxBase()}/api/sandbox/messages?to=${encodeURIComponent(e164)}`);
  return ((await response.json()) as { messages: { code: string }[] }).messages;
}

/**
 * Numbers listed in ADMIN_PHONE_NUMBERS for the e2e admin instance (playwright.config.ts): one per
 * spec that signs an admin in, so two specs never meet one number's resend delay.
 */
export const adminPhones = [
  "+6589990001",
  "+6589990002",
  "+6589990003",
  "+6589990004",
  "+6589990005",
  "+6589990006",
  "+6589990008",
] as const;

/** The sign-in page, as a person uses it. */
export class SignInPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/sign-in");
  }

  async requestCode(national: string, country = "SG") {
    await this.page.getByLabel("Country").selectOption(country);
    await this.page.getByLabel("Phone number").fill(national);
    await this.page.getByRole("button", { name: "Send code" }).click();
    // The widget solves a real proof of work first: allow for a busy machine.
    await expect(this.page.getByLabel("Verification code")).toBeVisible({ timeout: 20_000 });
  }

  async enterCode(code: string) {
    await this.page.getByLabel("Verification code").fill(code);
    await this.page.getByRole("button", { name: "Verify" }).click();
  }

  async signIn(phone: { e164: string; national: string }) {
    await this.goto();
    await this.requestCode(phone.national);
    await this.enterCode(await readLatestCode(this.page.request, phone.e164));
    await expect(this.page).toHaveURL(/\/account/);
  }

  /**
   * "Sign out" on the account page, then waits for the home page it leads to. A navigation started
   * before that cancels the sign-out, and the sign-in page then sends the still signed-in browser
   * back to its account.
   */
  async signOut() {
    await this.page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(this.page).toHaveURL(/\/$/);
  }
}

/** A client address per test, from the documentation ranges, so tests never share a limit bucket. */
export function randomClientIp(): string {
  // IPv6 documentation space: each test gets its own /48 (the network limit) and /64 (the address
  // limit). IPv4's documentation ranges are three /24s, which a whole suite would share.
  const group = () => (1 + Math.floor(Math.random() * 0xfffe)).toString(16);
  return `2001:db8:${group()}:${group()}::${group()}`;
}

export const test = base.extend<{ signInPage: SignInPage; clientIp: string }>({
  clientIp: async ({}, use) => {
    await use(randomClientIp());
  },
  // The e2e server trusts loopback as its proxy; every request of a test (page and API) arrives
  // "through" it from the test's own client address.
  extraHTTPHeaders: async ({ clientIp }, use) => {
    await use({ "x-forwarded-for": clientIp });
  },
  signInPage: async ({ page }, use) => {
    await use(new SignInPage(page));
  },
});

export { expect };

/**
 * Signs `phone` (an admin number) in through the API once and returns the browser state to open
 * pages with: a spec's tests share one admin sign-in (each costs the number a code).
 */
export async function adminSignInState(
  playwright: { request: { newContext(options: object): Promise<APIRequestContext> } },
  baseURL: string | undefined,
  phone: string,
): Promise<Awaited<ReturnType<APIRequestContext["storageState"]>>> {
  const request = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
  });
  await signInViaApi(request, phone);
  const state = await request.storageState();
  await request.dispose();
  return state;
}
