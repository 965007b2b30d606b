import { spawnSync } from "node:child_process";
import type { BrowserContext, Page } from "@playwright/test";
import { freshDataDir } from "../support/database-env";
import { startBuiltServer, type BuiltServer } from "../support/instance";
import { freePort, sandboxServerEnv } from "../support/server-env";
import {
  advanceSandboxSession,
  countMessages,
  expect,
  randomClientIp,
  randomPhone,
  readLatestCode,
  SignInPage,
  test,
} from "./support";

/**
 * Passkeys in a real browser: Chromium's virtual authenticator (CDP WebAuthn domain) plays a
 * device with a platform authenticator that holds discoverable credentials and verifies its user.
 */
async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
  };
}

/**
 * Opens the sign-in page with its autofill (conditional mediation) request kept from starting.
 * Chromium's virtual authenticator answers that request at once, where a person would first pick
 * the passkey from the list; left running, it races the button under test for the one challenge
 * this browser holds.
 */
async function openSignInWithoutAutofill(page: Page, signInPage: SignInPage) {
  let blocked = false;
  await page.route(
    "**/api/passkeys/sign-in/options",
    async (route) => {
      await route.abort();
      blocked = true;
    },
    { times: 1 },
  );
  await signInPage.goto();
  await expect
    .poll(() => blocked, { message: "the sign-in page asks for its autofill prompt", timeout: 20_000 })
    .toBe(true);
}

test.describe("a passkey instead of an SMS", () => {
  // Each test signs in with a code first (a real proof of work): allow for a busy machine.
  test.describe.configure({ timeout: 90_000 });

  test("adds a passkey after a code sign-in, then signs in with it and no SMS is sent", async ({
    page,
    signInPage,
  }) => {
    const authenticator = await addVirtualAuthenticator(page);
    const phone = randomPhone();
    await signInPage.signIn(phone);

    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByText("Passkey added. Next time, sign in with it.")).toBeVisible();
    const list = page.getByRole("list", { name: "Your passkeys" });
    await expect(list.getByRole("listitem")).toHaveCount(1);
    await expect(list).toContainText("Last used Never");
    // A discoverable credential for this site, holding the account (not the number) as its handle.
    const [credential] = await authenticator.credentials();
    expect(credential?.isResidentCredential).toBe(true);
    expect(credential?.rpId).toBe("localhost");

    await list.getByRole("button", { name: /^Rename/ }).click();
    await page.getByLabel(/^New name for/).fill("My laptop");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(list).toContainText("My laptop");

    await signInPage.signOut();
    const smsBefore = await countMessages(page.request, phone.e164);

    // The button (the autofill path follows below).
    await openSignInWithoutAutofill(page, signInPage);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page).toHaveURL(/\/account/);
    // The same account: its masked number ends in the number's last four digits.
    await expect(page.getByTestId("account-phone")).toContainText(phone.e164.slice(-4));
    expect(await countMessages(page.request, phone.e164)).toBe(smsBefore);
    await expect(page.getByRole("list", { name: "Your passkeys" })).not.toContainText("Last used Never");
    await expect(page.getByTestId("session-list")).toContainText(/passkey/i);

    // The phone field's autofill list: picking the passkey there signs in without a press.
    await signInPage.signOut();
    const autofillSignIn = page.waitForResponse(
      (response) => new URL(response.url()).pathname === "/api/passkeys/sign-in" && response.status() === 200,
    );
    await signInPage.goto();
    await autofillSignIn;
    await expect(page).toHaveURL(/\/account/);
    await expect(page.getByTestId("account-phone")).toContainText(phone.e164.slice(-4));
    expect(await countMessages(page.request, phone.e164)).toBe(smsBefore);
  });

  test("offers passkeys in the phone field's autofill, and removes one from the account page", async ({
    page,
    signInPage,
  }) => {
    await addVirtualAuthenticator(page);
    await signInPage.signIn(randomPhone());
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByRole("list", { name: "Your passkeys" }).getByRole("listitem")).toHaveCount(1);
    await page.getByRole("button", { name: /^Remove/ }).click();
    await expect(page.getByText("No passkeys yet.")).toBeVisible();

    await signInPage.signOut();
    await signInPage.goto();
    await expect(page.getByLabel("Phone number")).toHaveAttribute("autocomplete", "tel webauthn");
  });

  test("says what to do when the passkey is no longer on the account", async ({ page, signInPage }) => {
    await addVirtualAuthenticator(page);
    await signInPage.signIn(randomPhone());
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByRole("list", { name: "Your passkeys" }).getByRole("listitem")).toHaveCount(1);
    // Removed on the server, still on the device.
    await page.getByRole("button", { name: /^Remove/ }).click();
    await expect(page.getByText("No passkeys yet.")).toBeVisible();
    await signInPage.signOut();

    await openSignInWithoutAutofill(page, signInPage);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page.getByText("This passkey isn't registered here.")).toBeVisible();
    await expect(page).toHaveURL(/\/sign-in/);
  });
});

/**
 * The hosted demo with an admin: the sandbox in production (anyone can read any number's code),
 * ADMIN_PHONE_NUMBERS set, and the passkey second factor at its production default. On a server
 * of this spec's own, with accounts of its own (so no other instance's admin list applies).
 */
test.describe("the hosted demo's admin, by passkey", () => {
  test.describe.configure({ timeout: 120_000 });
  const admin = { e164: "+6589990007", national: "8999 0007" };
  let server: BuiltServer;

  test.beforeAll(async () => {
    // The embedded PGlite's first start (initdb) takes seconds.
    test.setTimeout(90_000);
    server = await startBuiltServer(await freePort(), {
      ...sandboxServerEnv,
      // The full inbox, for its time travel: a second visitor asks for the admin's code at once.
      SANDBOX_INBOX: "all",
      ADMIN_PHONE_NUMBERS: admin.e164,
      DATA_DIR: freshDataDir(),
    });
    expect(server.output()).not.toMatch(/Invalid environment/);
  });

  test.afterAll(async () => {
    server?.signal("SIGTERM");
    await server?.exited;
  });

  async function visitor(browser: import("@playwright/test").Browser): Promise<BrowserContext> {
    return browser.newContext({
      baseURL: server.url,
      extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
    });
  }

  function enrollmentLink(): string {
    const run = spawnSync(
      process.execPath,
      [
        "node_modules/tsx/dist/cli.mjs",
        "--conditions=react-server",
        "lib/passkeys/enroll-command.ts",
        admin.e164,
        "--url",
        server.url,
      ],
      {
        encoding: "utf8",
        env: {
          NODE_ENV: "test",
          PATH: process.env.PATH,
          AUTH_SECRET: sandboxServerEnv.AUTH_SECRET,
          ADMIN_PHONE_NUMBERS: admin.e164,
        },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    return /(http\S+#\S+)/.exec(run.stdout)![1]!;
  }

  test("a code alone opens no console; an enrollment link adds the admin passkey, which then does", async ({
    browser,
  }) => {
    const context = await visitor(browser);
    const page = await context.newPage();
    await addVirtualAuthenticator(page);
    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await signInPage.requestCode(admin.national);
    await signInPage.enterCode(await readLatestCode(page.request, admin.e164));
    await expect(page).toHaveURL(/\/account/);

    // Anyone can read the demo's codes: a code signs in as the number, but opens no console…
    await page.goto("/admin");
    await expect(page).toHaveURL(/\/account\/confirm-passkey/);
    await expect(page.getByText("no admin passkey yet")).toBeVisible();
    expect((await page.request.get("/api/admin/overview")).status()).toBe(403);
    // …and cannot add the admin's second factor.
    await page.goto("/account");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(
      page.getByText("An admin account adds its first passkey with an enrollment link"),
    ).toBeVisible();

    // The operator's link (npm run admin:enroll) adds one, once.
    const link = enrollmentLink();
    await page.goto(link);
    await page.getByRole("button", { name: "Add an admin passkey" }).click();
    await expect(page.getByText("Admin passkey added.")).toBeVisible();
    await page.getByRole("link", { name: /Confirm with it/ }).click();
    await page.getByRole("button", { name: "Confirm with a passkey" }).click();
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    expect((await page.request.get("/api/admin/overview")).status()).toBe(200);

    await page.goto(link);
    await page.getByRole("button", { name: "Add an admin passkey" }).click();
    await expect(page.getByText(/This enrollment link .* was used/)).toBeVisible();

    // A passkey sign-in is the second factor by itself: straight into the console, no SMS.
    await page.goto("/account");
    await signInPage.signOut();
    await signInPage.goto();
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page).toHaveURL(/\/account/);
    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

    // Another visitor who reads the admin's code still gets no console, nor can remove the passkey.
    const other = await visitor(browser);
    const otherPage = await other.newPage();
    const otherSignIn = new SignInPage(otherPage);
    await advanceSandboxSession(otherPage.request, admin.e164, 3600);
    await otherSignIn.goto();
    await otherSignIn.requestCode(admin.national);
    await otherSignIn.enterCode(await readLatestCode(otherPage.request, admin.e164));
    await expect(otherPage).toHaveURL(/\/account/);
    await otherPage.getByRole("button", { name: /^Remove/ }).click();
    await expect(otherPage.getByText("Confirm with one of your passkeys first")).toBeVisible();
    await otherPage.goto("/admin");
    await expect(otherPage).toHaveURL(/\/account\/confirm-passkey/);
    await other.close();
    await context.close();
  });
});
