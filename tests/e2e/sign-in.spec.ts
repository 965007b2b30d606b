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

test.describe("phone sign-in", () => {
  test("signs a new number up, signs out, and signs the same number in again", async ({
    page,
    signInPage,
  }) => {
    const phone = randomPhone();
    await signInPage.signIn(phone);
    await expect(page.getByText("Welcome! Your account has been created.")).toBeVisible();
    await expect(page.getByTestId("account-phone")).toHaveText(`+65 ••••${phone.e164.slice(-4)}`);
    await expect(page.getByRole("navigation", { name: "Main" })).toContainText("Signed in as");

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL("/");
    await expect(
      page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" }),
    ).toBeVisible();

    // 8x8 holds a number's next code back for its resend interval even after a verified session.
    await advanceSandboxSession(page.request, phone.e164, 3600);
    await signInPage.signIn(phone);
    await expect(page.getByText("Welcome! Your account has been created.")).toHaveCount(0);
    await expect(page.getByTestId("account-phone")).toHaveText(`+65 ••••${phone.e164.slice(-4)}`);
  });

  test("shows specific phone errors inline before anything is sent", async ({ page, signInPage }) => {
    await signInPage.goto();
    await page.getByLabel("Country").selectOption("SG");
    await page.getByLabel("Phone number").fill("8123");
    await page.getByRole("button", { name: "Send code" }).click();
    await expect(page.getByText("Too short for Singapore.")).toBeVisible();
    await expect(page.getByLabel("Phone number")).toHaveAttribute("aria-invalid", "true");
  });

  test("rejects a wrong code, then accepts the right one", async ({ page, signInPage }) => {
    const phone = randomPhone();
    await signInPage.goto();
    await signInPage.requestCode(phone.national);
    const code = await readLatestCode(page.request, phone.e164);
    const wrong = code === "000000" ? "111111" : "000000";

    await signInPage.enterCode(wrong);
    await expect(page.getByText("That code is not right. Check the SMS and try again.")).toBeVisible();
    await signInPage.enterCode(code);
    await expect(page).toHaveURL(/\/account/);
  });

  test("code field offers one-time-code autofill and keeps only digits from a pasted code", async ({
    page,
    signInPage,
  }) => {
    const phone = randomPhone();
    await signInPage.goto();
    await signInPage.requestCode(phone.national);
    const field = page.getByLabel("Verification code");
    await expect(field).toHaveAttribute("autocomplete", "one-time-code");
    await expect(field).toHaveAttribute("inputmode", "numeric");
    await field.fill("12 34-56");
    await expect(field).toHaveValue("123456");
  });

  test("explains an expired code and lets the user send a new one", async ({ page, signInPage }) => {
    const phone = randomPhone();
    await page.clock.install();
    await signInPage.goto();
    await signInPage.requestCode(phone.national);
    const code = await readLatestCode(page.request, phone.e164);

    // Five minutes pass, for the browser and for the sandbox's session.
    await advanceSandboxSession(page.request, phone.e164, 301);
    await page.clock.fastForward("05:01");

    await signInPage.enterCode(code);
    await expect(page.getByText("This code has expired. Send a new code.")).toBeVisible();

    await page.getByRole("button", { name: "Resend code" }).click();
    await expect(page.getByText(`We sent the code again to +65 ${phone.national}.`)).toBeVisible();
    const fresh = await readLatestCode(page.request, phone.e164, "1");
    await signInPage.enterCode(fresh);
    await expect(page).toHaveURL(/\/account/);
  });

  test("resend waits for the countdown, then sends the code again", async ({ page, signInPage }) => {
    const phone = randomPhone();
    await page.clock.install();
    await signInPage.goto();
    await signInPage.requestCode(phone.national);
    await expect(page.getByRole("button", { name: /Resend code in \d+ s/ })).toBeDisabled();

    await advanceSandboxSession(page.request, phone.e164, 31);
    await page.clock.fastForward("00:31");
    await page.getByRole("button", { name: "Resend code" }).click();
    await expect(page.getByText(`We sent the code again to +65 ${phone.national}.`)).toBeVisible();
    expect(await countMessages(page.request, phone.e164)).toBe(2);

    await signInPage.enterCode(await readLatestCode(page.request, phone.e164));
    await expect(page).toHaveURL(/\/account/);
  });

  test("'use a different number' goes back to the phone step with the number kept", async ({
    page,
    signInPage,
  }) => {
    const phone = randomPhone();
    await signInPage.goto();
    await signInPage.requestCode(phone.national);
    await page.getByRole("button", { name: "Use a different number" }).click();
    await expect(page.getByLabel("Phone number")).toHaveValue(phone.national);
  });
});

test.describe("pages and sessions", () => {
  test("sends anonymous visitors from the account page to sign-in", async ({ page }) => {
    await page.goto("/account");
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole("heading", { name: "Sign in or sign up" })).toBeVisible();
  });

  test("shows the sandbox banner on every page and the sent message in the inbox", async ({
    page,
    signInPage,
  }) => {
    const phone = randomPhone();
    await page.goto("/");
    await expect(page.getByRole("note")).toContainText("Sandbox — no SMS is sent.");
    await signInPage.goto();
    await signInPage.requestCode(phone.national);
    const code = await readLatestCode(page.request, phone.e164);

    await page.goto("/sandbox");
    const message = page
      .getByRole("list", { name: "Messages" })
      .getByRole("listitem")
      .filter({ hasText: phone.e164 });
    await expect(message).toContainText(`OTP Shield: Your verification code is ${code}`);
  });

  test("the HTTP API signs in and the Auth.js session names the phone number", async ({ request }) => {
    const phone = randomPhone();
    const sent = await sendCodeViaApi(request, { phone: phone.national, country: "SG" });
    expect(sent.status()).toBe(202);
    const code = await readLatestCode(request, phone.e164);

    const verified = await request.post("/api/otp/verify", { data: { code } });
    expect(verified.status()).toBe(200);
    expect(await verified.json()).toEqual({ status: "verified", isNewUser: true });

    const session = await (await request.get("/api/auth/session")).json();
    expect(session.user.phone).toBe(phone.e164);

    const replay = await request.post("/api/otp/verify", { data: { code } });
    expect(replay.status()).toBe(400);
    expect((await replay.json()).error.code).toBe("no_pending_verification");
  });

  test("100 concurrent checks of the right code sign in exactly once", async ({ request }) => {
    const phone = randomPhone();
    expect((await sendCodeViaApi(request, { phone: phone.e164 })).status()).toBe(202);
    const code = await readLatestCode(request, phone.e164);
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => request.post("/api/otp/verify", { data: { code } })),
    );
    const statuses = responses.map((response) => response.status());
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => ![200, 400, 429].includes(status))).toEqual([]);
    const sessionCookies = responses.filter((response) =>
      response
        .headersArray()
        .some((header) => header.name.toLowerCase() === "set-cookie" && /session-token=/.test(header.value)),
    );
    expect(sessionCookies).toHaveLength(1);
  });

  test("a code sent to one browser cannot sign in another", async ({ browser, request }) => {
    const phone = randomPhone();
    expect((await sendCodeViaApi(request, { phone: phone.e164 })).status()).toBe(202);
    const code = await readLatestCode(request, phone.e164);

    const other = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": randomClientIp() } });
    const stranger = await other.request.post("/api/otp/verify", { data: { code } });
    expect(stranger.status()).toBe(400);
    expect((await stranger.json()).error.code).toBe("no_pending_verification");
    await other.close();
  });

  test("health reports the sandbox and the store in use", async ({ request }) => {
    const health = await request.get("/api/health");
    expect(await health.json()).toEqual({
      status: "ok",
      store: process.env.E2E_STORE,
      storeReachable: true,
      storeWritable: true,
      database: process.env.E2E_DATABASE_URL ? "postgres" : "pglite",
      databaseReachable: true,
      otpProvider: "sandbox",
      sandbox: true,
    });
  });
});
