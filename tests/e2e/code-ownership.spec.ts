import type { Browser, BrowserContext } from "@playwright/test";
import {
  advanceSandboxSession,
  expect,
  randomClientIp,
  randomPhone,
  readLatestCode,
  sendCodeViaApi,
  test,
} from "./support";

/**
 * A code signs in only the browser that asked for it. The attacker knows the victim's number,
 * has its own browser and address, and never sees the victim's SMS; the victim uses the sign-in
 * page as a person does. Both orders of their requests.
 */

async function attackerBrowser(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": randomClientIp() } });
}

/** Every way the attacker could try to finish: wrong codes, the codes the victim received. */
async function expectAttackerNeverSignedIn(attacker: BrowserContext, codes: string[]) {
  for (const code of [...codes, "000000", "123456"]) {
    const response = await attacker.request.post("/api/otp/verify", { data: { code } });
    expect(response.status()).not.toBe(200);
  }
  const session = await (await attacker.request.get("/api/auth/session")).json();
  expect(session?.user).toBeUndefined();
}

test.describe("a code signs in only the browser that owns it", () => {
  // Two browsers and several proofs of work each: more than one ordinary test's time.
  test.slow();

  test("attacker first: an earlier code request for the victim's number never yields the victim's session", async ({
    browser,
    page,
    signInPage,
    baseURL,
  }) => {
    const phone = randomPhone();
    const attacker = await attackerBrowser(browser, baseURL!);
    expect((await sendCodeViaApi(attacker.request, { phone: phone.e164 })).status()).toBe(202);
    await advanceSandboxSession(page.request, phone.e164, 130);

    await signInPage.signIn(phone);
    await expect(page.getByTestId("account-phone")).toContainText(phone.e164.slice(-4));
    const victimCode = await readLatestCode(page.request, phone.e164);

    await expectAttackerNeverSignedIn(attacker, [victimCode]);
    await attacker.close();
  });

  test("victim first: a later code request by the attacker replaces the victim's code, never signs the attacker in", async ({
    browser,
    page,
    signInPage,
    baseURL,
  }) => {
    const phone = randomPhone();
    await signInPage.goto();
    await signInPage.requestCode(phone.national);
    const firstCode = await readLatestCode(page.request, phone.e164);
    await advanceSandboxSession(page.request, phone.e164, 130);

    const attacker = await attackerBrowser(browser, baseURL!);
    expect((await sendCodeViaApi(attacker.request, { phone: phone.e164 })).status()).toBe(202);
    const attackersCode = await readLatestCode(page.request, phone.e164);

    // The victim's first code no longer works, and the page says why.
    await signInPage.enterCode(firstCode);
    await expect(page.getByText("A newer code was requested for this number")).toBeVisible();

    // The victim asks again and signs in with the code their phone receives.
    await advanceSandboxSession(page.request, phone.e164, 130);
    await page.getByRole("button", { name: "Use a different number" }).click();
    await signInPage.requestCode(phone.national);
    const victimCode = await readLatestCode(page.request, phone.e164);
    await signInPage.enterCode(victimCode);
    await expect(page).toHaveURL(/\/account/);

    await expectAttackerNeverSignedIn(attacker, [firstCode, attackersCode, victimCode]);
    await attacker.close();
  });
});
