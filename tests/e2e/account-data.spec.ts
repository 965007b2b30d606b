import { readFile } from "node:fs/promises";
import { expect, randomClientIp, randomPhone, signInViaApi, test } from "./support";

/** The account page's "Your data": downloading the account's records and deleting the account. */
test.describe("your data", () => {
  test("downloads the account's data, deletes the account after its confirmation, and signs up anew", async ({
    page,
    browser,
    signInPage,
    baseURL,
    clientIp,
  }) => {
    const phone = randomPhone();
    await signInPage.signIn(phone);
    await expect(page.getByText("Welcome! Your account has been created.")).toBeVisible();

    // Download my data: a JSON file with this account, and only this one.
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download my data" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^otp-shield-account-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await readFile((await download.path())!, "utf8"));
    expect(data.account.phone).toBe(phone.e164);
    expect(data.sessions).toHaveLength(1);
    expect(data.knownDevices).toHaveLength(1);
    expect(data.passkeys).toEqual([]);
    const direct = await page.request.get("/api/account/data");
    expect(direct.headers()["content-disposition"]).toMatch(/^attachment;/);
    expect(direct.headers()["cache-control"]).toBe("no-store");

    // A copy of this browser's cookies, taken before the deletion.
    const copied = await page.context().cookies();

    // The confirmation: the wrong digits delete nothing.
    const lastFour = phone.e164.slice(-4);
    const wrong = String((Number(lastFour) + 1) % 10_000).padStart(4, "0");
    const confirmation = page.getByLabel("To confirm, type the last four digits of your phone number");
    await confirmation.fill(wrong);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await expect(page.getByText("Those are not the last four digits of your number.")).toBeVisible();
    await expect(confirmation).toHaveAttribute("aria-invalid", "true");
    await expect(page).toHaveURL(/\/account/);

    await confirmation.fill(lastFour);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await expect(page).toHaveURL("/?account=deleted");
    await expect(page.getByRole("status")).toContainText("Your account has been deleted");
    await expect(
      page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" }),
    ).toBeVisible();
    const names = (await page.context().cookies()).map((cookie) => cookie.name);
    expect(names.filter((name) => /session-token|otp_device|otp_pending/.test(name))).toEqual([]);

    // The copied session cookie opens nothing any more.
    const copy = await browser.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": clientIp } });
    await copy.addCookies(copied);
    const copyPage = await copy.newPage();
    await copyPage.goto("/account");
    await expect(copyPage).toHaveURL(/\/sign-in/);
    expect((await copy.request.get("/api/account/data")).status()).toBe(401);
    await copy.close();

    // The number signs up again: a new, empty account.
    await signInPage.signIn(phone);
    await expect(page.getByText("Welcome! Your account has been created.")).toBeVisible();
  });

  test("answers 401 to a download when signed out", async ({ request }) => {
    const response = await request.get("/api/account/data");
    expect(response.status()).toBe(401);
    expect((await response.json()).error.code).toBe("unauthorized");
  });

  test("deletes the account without JavaScript", async ({ browser, baseURL }) => {
    const context = await browser.newContext({
      baseURL,
      javaScriptEnabled: false,
      extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
    });
    const phone = randomPhone();
    await signInViaApi(context.request, phone.e164);
    const page = await context.newPage();
    await page.goto("/account");
    await page
      .getByLabel("To confirm, type the last four digits of your phone number")
      .fill(phone.e164.slice(-4));
    await page.getByRole("button", { name: "Delete my account" }).click();
    await expect(page).toHaveURL("/?account=deleted");
    await expect(page.getByRole("status")).toContainText("Your account has been deleted");
    await page.goto("/account");
    await expect(page).toHaveURL(/\/sign-in/);
    await context.close();
  });
});
