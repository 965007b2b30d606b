import { request as httpRequest } from "node:http";
import {
  advanceSandboxSession,
  countMessages,
  expect,
  randomClientIp,
  randomPhone,
  readLatestCode,
  sendCodeViaApi,
  solvedCaptcha,
  test,
} from "./support";

test.describe("defenses seen from the sign-in form", () => {
  test("explains a refused destination inline, before any code is sent", async ({ page, signInPage }) => {
    await signInPage.goto();
    await page.getByLabel("Phone number").fill("+1 900 555 0123");
    await page.getByRole("button", { name: "Send code" }).click();
    await expect(
      page.getByText("We can't send codes to this kind of number. Please use a mobile number."),
    ).toBeVisible();
    await expect(page.getByLabel("Phone number")).toHaveAttribute("aria-invalid", "true");
  });

  test("a refused send spends its proof of work, and the next try brings a fresh one", async ({
    page,
    signInPage,
  }) => {
    await signInPage.goto();
    const postedToken = async () => {
      const posted = page.waitForRequest((request) => request.method() === "POST");
      await page.getByRole("button", { name: "Send code" }).click();
      // The solution in the server action's body: base64 of its JSON (`{"challenge":…`).
      return /eyJ[A-Za-z0-9+/=]{40,}/.exec((await posted).postData() ?? "")?.[0];
    };
    await page.getByLabel("Phone number").fill("+1 900 555 0123");
    const first = await postedToken();
    await expect(page.getByLabel("Phone number")).toHaveAttribute("aria-invalid", "true");
    const second = await postedToken();
    expect(first).toBeTruthy();
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    // Nothing to tick, before or after the refusal.
    await expect(page.getByRole("checkbox")).toHaveCount(0);
  });

  test("a browser that signed in before still gets a code after an attacker spends the number's budget", async ({
    page,
    signInPage,
    playwright,
    baseURL,
  }) => {
    const phone = randomPhone();
    await signInPage.signIn(phone);

    // An attacker requests codes for the victim from fresh addresses until the number is refused.
    const attacker = await playwright.request.newContext({ baseURL });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await advanceSandboxSession(attacker, phone.e164, 3600);
      const headers = { "x-forwarded-for": randomClientIp() };
      const captcha = await solvedCaptcha(attacker, "", headers);
      const response = await attacker.post("/api/otp/send", {
        data: { phone: phone.e164, captcha },
        headers,
      });
      statuses.push(response.status());
    }
    // The owner's own sign-in spent one of the three codes a number gets per 15 minutes.
    expect(statuses).toEqual([202, 202, 429, 429]);
    await attacker.dispose();

    // The owner signs out and back in from the same browser: the reserve lets the code through.
    await signInPage.signOut();
    await advanceSandboxSession(page.request, phone.e164, 3600);
    await signInPage.goto();
    await signInPage.requestCode(phone.national);
    await signInPage.enterCode(await readLatestCode(page.request, phone.e164, "3"));
    await expect(page).toHaveURL(/\/account/);
  });

  test("a solved CAPTCHA is accepted once", async ({ request }) => {
    const captcha = await solvedCaptcha(request);
    const first = await request.post("/api/otp/send", { data: { phone: randomPhone().e164, captcha } });
    const replay = await request.post("/api/otp/send", { data: { phone: randomPhone().e164, captcha } });
    expect(first.status()).toBe(202);
    expect(replay.status()).toBe(403);
    expect((await replay.json()).error.code).toBe("captcha_failed");
  });

  test("a sender that spent its budget is answered without its body being read, even one that never ends", async ({
    request,
    baseURL,
    clientIp,
  }) => {
    const statuses: number[] = [];
    for (let send = 0; send < 6; send += 1) {
      statuses.push((await sendCodeViaApi(request, { phone: randomPhone().e164 })).status());
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);

    // Half a body, and the request left open: read first, it would be answered never.
    const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const open = httpRequest(`${baseURL}/api/otp/send`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": clientIp },
      });
      const timer = setTimeout(() => {
        open.destroy();
        reject(new Error("no answer within 5 s"));
      }, 5_000);
      open.on("response", (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => {
          clearTimeout(timer);
          open.destroy();
          resolve({ status: response.statusCode, body });
        });
      });
      open.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      open.write('{"phone":"+65');
    });
    expect(answer.status).toBe(429);
    expect(JSON.parse(answer.body).error.code).toBe("rate_limited");
  });

  test("a solution refused for its number is not taken again, even by concurrent sends", async ({
    request,
  }) => {
    // The cheapest reuse: one challenge, posted with a number the policy refuses before the
    // solution is checked, then again with good numbers, all at once.
    const captcha = await solvedCaptcha(request);
    const typo = await request.post("/api/otp/send", { data: { phone: "8123", country: "SG", captcha } });
    expect((await typo.json()).error.code).toBe("invalid_phone");
    const phones = Array.from({ length: 5 }, () => randomPhone().e164);
    const again = await Promise.all(
      phones.map((phone) => request.post("/api/otp/send", { data: { phone, captcha } })),
    );
    expect(await Promise.all(again.map(async (response) => (await response.json()).error?.code))).toEqual(
      phones.map(() => "captcha_failed"),
    );
    for (const phone of phones) expect(await countMessages(request, phone)).toBe(0);
  });
});
