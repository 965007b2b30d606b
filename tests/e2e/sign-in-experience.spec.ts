import { mkdirSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { config } from "../../lib/config";
import {
  advanceSandboxSession,
  countMessages,
  expect,
  randomClientIp,
  randomPhone,
  readLatestCode,
  sendCodeViaApi,
  test,
} from "./support";

/** How libphonenumber writes a test number for people: `+65 8123 4567`. */
const forPeople = (phone: { national: string }) => `+65 ${phone.national}`;

test.describe("sign-in without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("explains why a code cannot be sent, keeps the number out of the URL, and signs in with a code", async ({
    page,
    context,
  }) => {
    const phone = randomPhone();
    await page.goto("/sign-in");
    // (Playwright's text locators skip <noscript>; a browser without JavaScript shows it.)
    const explanation = page.locator("noscript > p");
    await expect(explanation).toBeVisible();
    await expect(explanation).toContainText("Sending a code needs JavaScript");
    // The default country is chosen in the server's HTML, not by a script.
    await expect(page.getByLabel("Country")).not.toHaveValue("");

    await page.getByLabel("Country").selectOption("SG");
    await page.getByLabel("Phone number").fill(phone.national);
    await page.getByRole("button", { name: "Send code" }).click();
    // The form posted to the page itself: an answer, not a blank reload, and no number in the address.
    await expect(page.getByRole("alert")).toHaveText("Please complete the verification and try again.");
    expect(page.url()).not.toContain(phone.national.replace(" ", ""));
    expect(page.url()).not.toContain("phone");
    await expect(page.getByLabel("Phone number")).toHaveValue(phone.national);

    // A code requested elsewhere in this browser (the API here) is entered without JavaScript.
    expect((await sendCodeViaApi(context.request, { phone: phone.e164 })).status()).toBe(202);
    await page.goto("/sign-in");
    await expect(page.getByText(`We sent a 6-digit code to ${forPeople(phone)}.`)).toBeVisible();
    const code = await readLatestCode(page.request, phone.e164);

    await page.getByLabel("Verification code").fill(code === "000000" ? "111111" : "000000");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByLabel("Verification code")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText("That code is not right. Check the SMS and try again.")).toBeVisible();

    await page.getByLabel("Verification code").fill(code);
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/account/);
    await expect(page.getByTestId("account-phone")).toContainText(phone.e164.slice(-4));
  });

  test("'use a different number' works without JavaScript and keeps the number", async ({
    page,
    context,
  }) => {
    const phone = randomPhone();
    expect((await sendCodeViaApi(context.request, { phone: phone.e164 })).status()).toBe(202);
    await page.goto("/sign-in");
    await page.getByRole("button", { name: "Use a different number" }).click();
    await expect(page.getByLabel("Phone number")).toHaveValue(phone.e164);
  });
});

test.describe("sign-in as a person meets it", () => {
  test("shows no CAPTCHA box: the proof of work runs in the background", async ({ page, signInPage }) => {
    await signInPage.goto();
    await expect(page.getByRole("checkbox")).toHaveCount(0);
    await expect(page.locator("altcha-widget")).toBeHidden();
    await expect
      .poll(() =>
        page
          .locator("altcha-widget")
          // Until the widget's module has loaded, the element has no methods yet.
          .evaluate((widget) => (widget as HTMLElement & { getState?(): string }).getState?.() ?? "loading"),
      )
      .toBe("verified");
  });

  test("says the browser is getting ready only while the proof of work takes long", async ({
    page,
    signInPage,
  }) => {
    // A slow challenge stands in for a slow phone under attack mode.
    await page.route("**/api/captcha/challenge", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await route.continue();
    });
    const phone = randomPhone();
    await signInPage.goto();
    const progress = page.getByText("Getting this browser ready to send a code");
    await expect(progress).toBeVisible();
    await signInPage.requestCode(phone.national);
    await expect(progress).toHaveCount(0);
  });

  test("the same number again goes back to its code instead of sending another", async ({
    page,
    signInPage,
  }) => {
    const phone = randomPhone();
    await signInPage.goto();
    await signInPage.requestCode(phone.national);
    await expect(page.getByText(`We sent a 6-digit code to ${forPeople(phone)}.`)).toBeVisible();
    await page.getByRole("button", { name: "Use a different number" }).click();
    await signInPage.requestCode(phone.national);
    await expect(
      page.getByText(`The code we sent to ${forPeople(phone)} still works: enter it below.`),
    ).toBeVisible();
    expect(await countMessages(page.request, phone.e164)).toBe(1);

    await signInPage.enterCode(await readLatestCode(page.request, phone.e164));
    await expect(page).toHaveURL(/\/account/);
  });

  test("offers the resend once a code's attempts are spent", async ({ page, signInPage }) => {
    const phone = randomPhone();
    await page.clock.install();
    await signInPage.goto();
    await signInPage.requestCode(phone.national);
    const code = await readLatestCode(page.request, phone.e164);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await signInPage.enterCode(wrong);
      await expect(page.getByText("That code is not right. Check the SMS and try again.")).toBeVisible();
    }
    await signInPage.enterCode(wrong);
    await expect(page.getByText("Too many wrong codes. Send a new code to try again.")).toBeVisible();
    const lastCheck = Date.now();
    await expect(page.getByRole("button", { name: "Verify" })).toBeDisabled();

    await advanceSandboxSession(page.request, phone.e164, 31);
    await page.clock.fastForward("00:31");
    await page.getByRole("button", { name: "Resend code" }).click();
    await expect(page.getByText(`We sent the code again to ${forPeople(phone)}.`)).toBeVisible();
    const code2 = await readLatestCode(page.request, phone.e164, "1");
    // Five checks start the number's growing delay (config.checkDelay): the server waits on real
    // time, which the page's fake clock does not move, as a person's 30 s before the resend would.
    await page.waitForTimeout(
      Math.max(0, lastCheck + config.checkDelay.base.value * 1000 + 200 - Date.now()),
    );
    await signInPage.enterCode(code2);
    await expect(page).toHaveURL(/\/account/);
  });

  test("a browser whose clock runs minutes fast still waits the resend delay the server keeps", async ({
    page,
    signInPage,
  }) => {
    // The countdowns are the server's times: read on a fast clock alone, the resend would look due at once.
    await page.clock.install({ time: new Date(Date.now() + 5 * 60_000) });
    const phone = randomPhone();
    await signInPage.goto();
    await signInPage.requestCode(phone.national);
    await expect(page.getByRole("button", { name: /^Resend code in \d+ s$/ })).toBeDisabled();
  });

  test("a refused send counts down, and its button waits with it", async ({ page, request, signInPage }) => {
    // This test's address spends its send budget through the API first (not the page's cookies).
    for (let send = 0; send < 5; send += 1) {
      expect((await sendCodeViaApi(request, { phone: randomPhone().e164 })).status()).toBe(202);
    }
    await page.clock.install();
    await signInPage.goto();
    await page.getByLabel("Country").selectOption("SG");
    await page.getByLabel("Phone number").fill(randomPhone().national);
    await page.getByRole("button", { name: "Send code" }).click();
    await expect(page.getByText(/^Too many code requests/)).toBeVisible();
    const timer = page.getByRole("timer");
    await expect(timer).toHaveText(/^You can try again in \d+:\d\d\.$/);
    const before = await timer.textContent();
    await expect(page.getByRole("button", { name: /Send code/ })).toBeDisabled();
    await page.clock.fastForward("00:05");
    await expect(timer).not.toHaveText(before!);
  });

  test("ties a phone error to its field and moves focus to it", async ({ page, signInPage }) => {
    await signInPage.goto();
    await page.getByLabel("Country").selectOption("SG");
    await page.getByLabel("Phone number").fill("8123");
    await page.getByRole("button", { name: "Send code" }).click();
    const field = page.getByLabel("Phone number");
    await expect(field).toBeFocused();
    await expect(field).toHaveAttribute("aria-invalid", "true");
    await expect(field).toHaveAccessibleDescription("Too short for Singapore.");
  });

  test("returns to the page the person came from, and shows the welcome once", async ({
    page,
    signInPage,
  }) => {
    const phone = randomPhone();
    await page.goto("/sandbox");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fsandbox$/);
    await signInPage.requestCode(phone.national);
    await signInPage.enterCode(await readLatestCode(page.request, phone.e164));
    await expect(page).toHaveURL(/\/sandbox$/);
    await expect(page.getByText("Welcome! Your account has been created.")).toBeVisible();
    await page.reload();
    await expect(page.getByRole("heading", { name: "Sandbox inbox" })).toBeVisible();
    await expect(page.getByText("Welcome! Your account has been created.")).toHaveCount(0);
  });

  test("never follows a return address off the site", async ({ page }) => {
    const phone = randomPhone();
    await page.goto("/sign-in?next=//evil.example/steal");
    await page.getByLabel("Country").selectOption("SG");
    await page.getByLabel("Phone number").fill(phone.national);
    await page.getByRole("button", { name: "Send code" }).click();
    await page.getByLabel("Verification code").fill(await readLatestCode(page.request, phone.e164));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/^http:\/\/localhost:\d+\/account$/);
  });
});

test.describe("pages", () => {
  test("an unknown page is a styled 404 with a way home and its own title", async ({ page }) => {
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page).toHaveTitle("Page not found · OTP Shield");
    await page.getByRole("link", { name: "Go to the home page" }).click();
    await expect(page).toHaveURL(/\/$/);
  });

  test("an unknown API path answers the JSON error envelope with 404", async ({ request }) => {
    const response = await request.post("/api/otp/nothing", { data: {} });
    expect(response.status()).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: "not_found", message: "There is no such endpoint." },
    });
  });

  test("every page has its own title, and the site a favicon", async ({ page, request }) => {
    await page.goto("/");
    await expect(page).toHaveTitle("OTP Shield · Phone sign-in");
    await page.goto("/sign-in");
    await expect(page).toHaveTitle("Sign in · OTP Shield");
    const icon = await page.locator('link[rel="icon"]').getAttribute("href");
    expect((await request.get(icon!)).status()).toBe(200);
  });
});

test.describe("in Bahasa Indonesia", () => {
  test.use({ locale: "id-ID" });

  test("the sign-in page and the server's refusals follow Accept-Language", async ({ page, request }) => {
    await page.goto("/sign-in");
    await expect(page.locator("html")).toHaveAttribute("lang", "id");
    await expect(page.getByRole("heading", { name: "Masuk atau daftar" })).toBeVisible();
    await expect(page).toHaveTitle("Masuk · OTP Shield");
    await page.getByLabel("Negara").selectOption("SG");
    await page.getByLabel("Nomor ponsel").fill("8123");
    await page.getByRole("button", { name: "Kirim kode" }).click();
    await expect(page.getByText("Terlalu pendek untuk Singapura.")).toBeVisible();

    const refused = await request.post("/api/otp/send", {
      data: { phone: "+6581234567" },
      headers: { "accept-language": "id-ID,id;q=0.9" },
    });
    expect((await refused.json()).error.message).toBe("Selesaikan verifikasi lalu coba lagi.");
  });

  test("the passkey button, the account page and its deletion form speak it too", async ({ page }) => {
    const phone = randomPhone();
    await page.goto("/sign-in");
    await expect(page.getByRole("button", { name: "Masuk dengan passkey" })).toBeVisible();
    await page.getByLabel("Negara").selectOption("SG");
    await page.getByLabel("Nomor ponsel").fill(phone.national);
    await page.getByRole("button", { name: "Kirim kode" }).click();
    await page.getByLabel("Kode verifikasi").fill(await readLatestCode(page.request, phone.e164));
    await page.getByRole("button", { name: "Verifikasi" }).click();

    await expect(page).toHaveURL(/\/account/);
    await expect(page).toHaveTitle("Akun Anda · OTP Shield");
    await expect(page.getByRole("heading", { name: "Perangkat tempat Anda masuk" })).toBeVisible();
    await expect(page.getByTestId("session-list")).toContainText("dengan kode");
    await page
      .getByLabel("Untuk mengonfirmasi, ketik empat digit terakhir nomor ponsel Anda")
      .fill(phone.e164.endsWith("0000") ? "1111" : "0000");
    await page.getByRole("button", { name: "Hapus akun saya" }).click();
    await expect(page.getByText("Itu bukan empat digit terakhir nomor Anda.")).toBeVisible();
  });
});

/** axe's findings of moderate impact or worse, by rule and element. */
async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => ["moderate", "serious", "critical"].includes(violation.impact ?? ""))
    .map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    );
}

test.describe("accessibility (axe)", () => {
  for (const [name, url] of [
    ["home", "/"],
    ["sign-in", "/sign-in"],
    ["404", "/no-such-page"],
  ] as const) {
    test(`the ${name} page has no violation of moderate impact or worse`, async ({ page }) => {
      await page.goto(url);
      expect(await seriousViolations(page)).toEqual([]);
    });
  }

  test("the code step and its error have no violation of moderate impact or worse", async ({
    page,
    signInPage,
  }) => {
    await signInPage.goto();
    await signInPage.requestCode(randomPhone().national);
    await signInPage.enterCode("000000");
    await expect(page.getByLabel("Verification code")).toHaveAttribute("aria-invalid", "true");
    expect(await seriousViolations(page)).toEqual([]);
  });
});

test.describe("screenshots", () => {
  for (const [name, viewport] of [
    ["phone", { width: 390, height: 760 }],
    ["desktop", { width: 1280, height: 760 }],
  ] as const) {
    test(`sign-in on a ${name}`, async ({ browser, baseURL }, testInfo) => {
      const context = await browser.newContext({
        viewport,
        baseURL,
        deviceScaleFactor: 1,
        extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
      });
      const page = await context.newPage();
      await page.goto("/sign-in");
      await page.getByLabel("Country").selectOption("SG");
      const file = testInfo.outputPath(`sign-in-${name}.png`);
      await page.screenshot({ path: file });
      await testInfo.attach(`sign-in-${name}`, { path: file, contentType: "image/png" });
      // `UPDATE_SCREENSHOTS=1` refreshes the copies the README shows.
      if (process.env.UPDATE_SCREENSHOTS === "1") {
        mkdirSync("docs/screenshots", { recursive: true });
        await page.screenshot({ path: path.join("docs/screenshots", `sign-in-${name}.png`) });
      }
      await context.close();
    });
  }
});
