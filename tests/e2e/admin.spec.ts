import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Browser, BrowserContext, Page, TestInfo } from "@playwright/test";
import {
  adminPhones,
  expect,
  randomClientIp,
  randomLandline,
  randomPhone,
  sendCodeViaApi,
  signInViaApi,
  readLatestCode,
  SignInPage,
  solvedCaptcha,
  test,
  adminSignInState,
} from "./support";

/**
 * The admin console, as an operator uses it during an attack. One admin sign-in is shared by the
 * tests here (every sign-in costs the admin number one code of its budget).
 */
let adminState: Awaited<ReturnType<APIRequestContext["storageState"]>>;

// One worker, one sign-in: every admin sign-in spends a code of the admin number's budget.
test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ playwright, baseURL }) => {
  adminState = await adminSignInState(playwright, baseURL, adminPhones[2]);
});

/** A full-page screenshot kept in the test's output folder (test-results/) and attached to the report. */
async function keepScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(name);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** Refusals are recorded in batches a moment after the response: wait until `count` are in. */
async function waitForEvents(context: BrowserContext, ip: string, count: number) {
  await expect
    .poll(async () => {
      const response = await context.request.get(`/api/admin/events?ip=${encodeURIComponent(ip)}`);
      return ((await response.json()) as { events: unknown[] }).events.length;
    })
    .toBeGreaterThanOrEqual(count);
}

async function adminContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    storageState: adminState,
    extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
  });
}

const adminPages = [
  "/admin",
  "/admin/fraud",
  "/admin/backtest",
  "/admin/events",
  "/admin/rules",
  "/admin/policy",
  "/admin/client-ip",
];
const adminEndpoints: [string, string, unknown?][] = [
  ["GET", "/api/admin/overview"],
  ["GET", "/api/admin/events"],
  ["GET", "/api/admin/events/export"],
  ["POST", "/api/admin/events/reveal", { id: "1-0" }],
  ["GET", "/api/admin/rules"],
  ["POST", "/api/admin/rules", { kind: "block-country", value: "FR", ttlSeconds: 60 }],
  ["DELETE", "/api/admin/rules?kind=block-country&value=FR"],
  ["POST", "/api/admin/blocks", { label: "country FR", extendSeconds: 3600 }],
  ["DELETE", "/api/admin/blocks?label=country%20FR"],
  ["GET", "/api/admin/audit"],
  ["GET", "/api/admin/client-ip"],
];

test.describe("admin authorization", () => {
  test("anonymous visitors get 401 from every endpoint and the sign-in page from every page", async ({
    page,
    request,
  }) => {
    const bypasses: Record<string, string>[] = [
      {},
      { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
    ];
    for (const bypass of bypasses) {
      for (const [method, path, data] of adminEndpoints) {
        const response = await request.fetch(path, { method, data, headers: bypass });
        expect(response.status(), `${method} ${path}`).toBe(401);
      }
    }
    for (const path of adminPages) {
      await page.goto(path);
      // …asking to come back to the page once signed in.
      expect(page.url()).toMatch(/\/sign-in\?next=/);
      expect(new URL(page.url()).searchParams.get("next")).toBe(path);
    }
  });

  test("an operator following a link to filtered events signs in and lands on them, filters and all", async ({
    page,
  }) => {
    const admin = { e164: adminPhones[6], national: adminPhones[6].slice(3) };
    const path = "/admin/events?prefix=%2B6581&rule=captcha";
    await page.goto(path);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    expect(new URL(page.url()).searchParams.get("next")).toBe(path);

    const signInPage = new SignInPage(page);
    await signInPage.requestCode(admin.national);
    await signInPage.enterCode(await readLatestCode(page.request, admin.e164));
    await expect(page).toHaveURL((url) => `${url.pathname}${url.search}` === path);
    await expect(page.getByLabel("Number prefix")).toHaveValue("+6581");
  });

  test("a signed-in non-admin gets 403 from every endpoint and 404 without admin data from every page", async ({
    page,
  }) => {
    await signInViaApi(page.request, randomPhone().e164);
    for (const [method, path, data] of adminEndpoints) {
      const response = await page.request.fetch(path, { method, data });
      expect(response.status(), `${method} ${path}`).toBe(403);
    }
    for (const path of adminPages) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      const html = await response!.text();
      expect(html).not.toContain("Throttle events");
      expect(html).not.toContain("limit.send.ip");
    }
  });

  test("an admin reaches every page and endpoint", async ({ browser }) => {
    const context = await adminContext(browser);
    for (const path of adminPages)
      expect((await (await context.newPage()).goto(path))?.status(), path).toBe(200);
    for (const [method, path] of adminEndpoints.filter(([method]) => method === "GET")) {
      expect((await context.request.fetch(path, { method })).status(), path).toBe(200);
    }
    await context.close();
  });

  test("validates list parameters: clamps the page size, refuses malformed cursors and unknown parameters", async ({
    browser,
  }) => {
    const context = await adminContext(browser);
    const huge = await context.request.get("/api/admin/events?limit=1e9");
    expect(huge.status()).toBe(200);
    expect((await huge.json()).events.length).toBeLessThanOrEqual(200);
    for (const query of [
      "cursor=__proto__",
      "page=-1",
      "limit=-5",
      "limit=abc",
      "ip=<script>",
      "route=DROP",
    ]) {
      const response = await context.request.get(`/api/admin/events?${query}`);
      expect(response.status(), query).toBe(400);
    }
    await context.close();
  });
});

test.describe("operating during an attack", () => {
  test("refusals show up in the console, filter by address, and render attacker text as text", async ({
    browser,
    request,
  }, testInfo) => {
    const attackerIp = randomClientIp();
    const xss = `<img src=x onerror="window.__xss=1">`;
    // Refusals: a forged CAPTCHA, and a premium-rate destination, with a hostile user agent.
    for (const phone of ["+19005550123", "+6581234567"]) {
      await request.post("/api/otp/send", {
        data: { phone, captcha: phone.startsWith("+1") ? await solvedCaptcha(request) : "forged" },
        headers: { "x-forwarded-for": attackerIp, "user-agent": xss },
      });
    }

    const context = await adminContext(browser);
    await waitForEvents(context, attackerIp, 2);
    const page = await context.newPage();
    await page.goto(`/admin/events?ip=${encodeURIComponent(attackerIp)}`);
    const rows = page.getByRole("table").getByRole("row");
    await expect(rows.filter({ hasText: "captcha.malformed" })).toHaveCount(1);
    await expect(rows.filter({ hasText: "destination.line_type.premium_rate" })).toHaveCount(1);
    await expect(page.getByText(xss).first()).toBeVisible();
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
    await keepScreenshot(page, testInfo, "events-page.png");

    const axe = await new AxeBuilder({ page }).analyze();
    expect(
      axe.violations.filter((violation) => ["serious", "critical"].includes(violation.impact ?? "")),
    ).toEqual([]);
    await context.close();
  });

  test("blocking a prefix refuses the next send to it at once, and the audit log shows who did it", async ({
    browser,
    request,
  }) => {
    const victim = randomPhone();
    const prefix = victim.e164.slice(0, 7);
    const context = await adminContext(browser);
    const page = await context.newPage();
    await page.goto("/admin/rules");
    await page.getByLabel("Action", { exact: true }).selectOption("block-prefix");
    await page.getByLabel("Value").fill(prefix);
    await page.getByLabel("Reason (optional)").fill("pumping test");
    await page.getByRole("button", { name: "Add rule" }).click();
    const rules = page.getByRole("list", { name: "Rules in force" });
    await expect(rules).toContainText(`block-prefix ${prefix}`);
    await expect(page.getByRole("list", { name: "Admin actions" })).toContainText(
      `add rule block prefix ${prefix}`,
    );

    const refused = await sendCodeViaApi(request, { phone: victim.e164 });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.code).toBe("destination_blocked");

    await rules.getByRole("button", { name: `Remove block-prefix ${prefix}` }).click();
    await page
      .getByRole("dialog", { name: `Remove block-prefix ${prefix}?` })
      .getByRole("button", { name: "Remove" })
      .click();
    await expect(rules).toHaveCount(0);
    const allowed = await sendCodeViaApi(request, { phone: victim.e164 });
    expect(allowed.status(), await allowed.text()).toBe(202);
    await context.close();
  });

  test("blocking a network refuses sends from every address inside it, and only enforced lengths are accepted", async ({
    browser,
    request,
    clientIp,
  }) => {
    // This test's own /48 (see randomClientIp), blocked from the form as an operator would.
    const network = `${clientIp.split(":").slice(0, 3).join(":")}::/48`;
    const context = await adminContext(browser);
    const page = await context.newPage();
    await page.goto("/admin/rules");
    await page.getByLabel("Action", { exact: true }).selectOption("block-subnet");
    await page.getByLabel("Value").fill(network.replace("/48", "/50"));
    await page.getByRole("button", { name: "Add rule" }).click();
    await expect(page.getByText("/50 can't be blocked: IPv4 networks from /8 to /32")).toBeVisible();

    await page.getByLabel("Value").fill(network);
    await page.getByRole("button", { name: "Add rule" }).click();
    const rules = page.getByRole("list", { name: "Rules in force" });
    await expect(rules).toContainText(`block-subnet ${network}`);

    const refused = await sendCodeViaApi(request, { phone: randomPhone().e164 });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.code).toBe("forbidden");

    await rules.getByRole("button", { name: `Remove block-subnet ${network}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
    await expect(rules).toHaveCount(0);
    const allowed = await sendCodeViaApi(request, { phone: randomPhone().e164 });
    expect(allowed.status(), await allowed.text()).toBe(202);
    await context.close();
  });

  test("the rule form names what is wrong on the field itself, sends nothing until it is right, then adds the rule", async ({
    browser,
  }) => {
    const target = randomPhone().e164;
    const context = await adminContext(browser);
    const page = await context.newPage();
    const posts: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().includes("/api/admin/rules"))
        posts.push(request.url());
    });
    await page.goto("/admin/rules");
    await page.getByLabel("Action", { exact: true }).selectOption("block-phone");
    await page.getByLabel("Reason (optional)").fill("x".repeat(201));
    await page.getByRole("button", { name: "Add rule" }).click();

    const value = page.getByLabel("Value");
    const reason = page.getByLabel("Reason (optional)");
    await expect(value).toHaveAttribute("aria-invalid", "true");
    await expect(value).toHaveAccessibleDescription("Enter what the rule applies to.");
    await expect(value).toBeFocused();
    await expect(reason).toHaveAttribute("aria-invalid", "true");
    await expect(reason).toHaveAccessibleDescription("At most 200 characters.");
    expect(posts).toEqual([]);

    // Fixing a field clears its message as the operator types.
    await value.fill(target);
    await expect(value).not.toHaveAttribute("aria-invalid", "true");
    await reason.fill("rule form test");
    await page.getByRole("button", { name: "Add rule" }).click();
    await expect(page.getByRole("form", { name: "Add a rule" }).getByRole("status")).toHaveText(
      new RegExp(`^Saved: block-phone \\${target} until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\.$`),
    );
    const rules = page.getByRole("list", { name: "Rules in force" });
    await expect(rules).toContainText(`block-phone ${target}`);
    expect(posts).toHaveLength(1);

    await rules.getByRole("button", { name: `Remove block-phone ${target}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
    await expect(rules.getByRole("button", { name: `Remove block-phone ${target}` })).toHaveCount(0);
    await context.close();
  });

  test("the rule form shows the server's refusal of a value on the Value field, with the button pending meanwhile", async ({
    browser,
  }) => {
    const context = await adminContext(browser);
    const page = await context.newPage();
    await page.goto("/admin/rules");
    // Hold the request, to see the form while the server is deciding.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/admin/rules", async (route) => {
      await held;
      await route.continue();
    });
    await page.getByLabel("Action", { exact: true }).selectOption("block-ip");
    await page.getByLabel("Value").fill("203.0.113.999");
    await page.getByRole("button", { name: "Add rule" }).click();

    const button = page.getByRole("button", { name: "Saving…" });
    await expect(button).toHaveAttribute("aria-disabled", "true");
    await expect(button).toBeFocused();
    release();

    const value = page.getByLabel("Value");
    await expect(value).toHaveAttribute("aria-invalid", "true");
    await expect(value).toHaveAccessibleDescription("Enter an IPv4 or IPv6 address.");
    await expect(value).toBeFocused();
    await expect(page.getByRole("button", { name: "Add rule" })).not.toHaveAttribute("aria-disabled");
    // The message is on the field, not repeated above the button.
    await expect(page.getByRole("form", { name: "Add a rule" }).getByRole("alert")).toHaveCount(0);
    await context.close();
  });

  test("the event filters name a malformed filter on its field, in the browser and from the URL", async ({
    browser,
  }) => {
    const context = await adminContext(browser);
    const page = await context.newPage();
    await page.goto("/admin/events");
    const country = page.getByLabel("Country");
    await country.fill("Singapore");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(country).toHaveAttribute("aria-invalid", "true");
    await expect(country).toHaveAccessibleDescription("Country is a two-letter code such as SG.");
    await expect(page).toHaveURL(/\/admin\/events$/);

    await country.fill("SG");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/\/admin\/events\?country=SG$/);

    // A hand-edited URL is refused by the server, and its message lands on the same field.
    await page.goto("/admin/events?prefix=6581");
    const prefix = page.getByLabel("Number prefix");
    await expect(prefix).toHaveValue("6581");
    await expect(prefix).toHaveAttribute("aria-invalid", "true");
    await expect(prefix).toHaveAccessibleDescription("Number prefix is + and digits, such as +6581.");
    await context.close();
  });

  test("exports the events as CSV for a spreadsheet: a BOM, formulas neutralised, our numbers as they are", async ({
    browser,
    request,
  }) => {
    const ip = randomClientIp();
    const headers = { "x-forwarded-for": ip, "user-agent": '=HYPERLINK("http://evil.example","x")' };
    const phone = randomLandline();
    await request.post("/api/otp/send", {
      data: { phone, captcha: await solvedCaptcha(request, "", headers) },
      headers,
    });
    const context = await adminContext(browser);
    await waitForEvents(context, ip, 1);
    const response = await context.request.get(`/api/admin/events/export?ip=${encodeURIComponent(ip)}`);
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toContain("text/csv");
    const body = await response.body();
    // UTF-8 with a byte-order mark, so that Excel reads the mask dots as they are.
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = body.toString("utf8").slice(1).trim().split("\r\n");
    expect(lines[0]).toBe(
      "id,time,route,rule,decision,ip,subnet,phone,country,prefix,userAgent,retryAfterSeconds,requestId",
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(lines[1]).toContain(`"+65 ${phone.slice(3, 7)}••••"`);
    expect(lines[1]).toContain(`"${phone.slice(0, 7)}"`);
    expect(lines[1]).not.toContain("\"'+");
    await context.close();
  });

  test("the overview shows traffic, the chart and top sources", async ({ browser }, testInfo) => {
    const context = await adminContext(browser);
    const page = await context.newPage();
    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await expect(page.getByRole("group", { name: /Refusals per minute, last hour, by rule/ })).toBeVisible();
    await expect(page.getByRole("row", { name: /Last hour/ })).toBeVisible();
    await expect(page.getByText(/Attack mode: (on|off)/)).toBeVisible();
    await keepScreenshot(page, testInfo, "overview-page.png");
    const axe = await new AxeBuilder({ page }).analyze();
    expect(
      axe.violations.filter((violation) => ["serious", "critical"].includes(violation.impact ?? "")),
    ).toEqual([]);
    await context.close();
  });

  test("no unrevealed view holds more of a number than its prefix: not the list, the CSV, the filters or the overview", async ({
    browser,
    request,
  }) => {
    const ip = randomClientIp();
    const phone = randomLandline();
    const prefix = phone.slice(0, -4);
    const lastFour = phone.slice(-4);
    const headers = { "x-forwarded-for": ip, "user-agent": "privacy-check" };
    await request.post("/api/otp/send", {
      data: { phone, captcha: await solvedCaptcha(request, "", headers) },
      headers,
    });
    const context = await adminContext(browser);
    await waitForEvents(context, ip, 1);
    const digits = (text: unknown) => String(text ?? "").replace(/\D/g, "");

    // The list (also what the page's live updates poll): the number shows exactly the prefix's digits.
    const list = await context.request.get(`/api/admin/events?ip=${encodeURIComponent(ip)}`);
    const [event] = (await list.json()).events as Record<string, unknown>[];
    expect(event).toMatchObject({ prefix, phoneMasked: `+65 ${prefix.slice(3)}••••` });
    expect(digits(event!.phoneMasked)).toBe(digits(prefix));
    expect(event).not.toHaveProperty("phone");
    expect(JSON.stringify(event)).not.toContain(digits(phone));

    // No filter on the hidden digits: with the prefix it would confirm them one guess at a time.
    const guess = await context.request.get(
      `/api/admin/events?ip=${encodeURIComponent(ip)}&prefix=${encodeURIComponent(prefix)}&phoneSuffix=${lastFour}`,
    );
    expect(guess.status()).toBe(400);

    // The CSV row: the same digits as the list, never the last four.
    const csv = await context.request.get(`/api/admin/events/export?ip=${encodeURIComponent(ip)}`);
    const [header, row] = (await csv.text())
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    const cells = Object.fromEntries(
      header!.split(",").map((name, index) => [name, row!.slice(1, -1).split('","')[index]]),
    );
    expect(digits(cells.phone)).toBe(digits(prefix));
    expect(digits(cells.prefix)).toBe(digits(prefix));
    expect(row).not.toContain(digits(phone));

    // Top sources name prefixes, never a whole number.
    const overview = JSON.stringify(await (await context.request.get("/api/admin/overview")).json());
    expect(overview).not.toContain(digits(phone));

    // Only the reveal gives the whole number, and it is in the audit log first.
    const revealed = await context.request.post("/api/admin/events/reveal", { data: { id: event!.id } });
    expect(await revealed.json()).toEqual({ id: event!.id, phone });
    const audit = (await (await context.request.get("/api/admin/audit")).json()) as {
      actions: { action: string; target: string }[];
    };
    expect(audit.actions).toContainEqual(
      expect.objectContaining({ action: "reveal phone", target: `event ${event!.id}` }),
    );
    await context.close();
  });

  test("revealing a number is audited", async ({ browser, request }) => {
    const ip = randomClientIp();
    const phone = randomLandline();
    const headers = { "x-forwarded-for": ip };
    await request.post("/api/otp/send", {
      data: { phone, captcha: await solvedCaptcha(request, "", headers) },
      headers,
    });
    const context = await adminContext(browser);
    await waitForEvents(context, ip, 1);
    const page = await context.newPage();
    await page.goto(`/admin/events?ip=${encodeURIComponent(ip)}`);
    await page.getByRole("button", { name: /Reveal the number/ }).click();
    await expect(page.getByText(phone)).toBeVisible();
    await page.goto("/admin/rules");
    await expect(page.getByRole("list", { name: "Admin actions" })).toContainText("reveal phone");
    await context.close();
  });
});
