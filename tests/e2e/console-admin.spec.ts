import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Browser, BrowserContext, Page } from "@playwright/test";
import {
  adminPhones,
  adminSignInState,
  expect,
  randomClientIp,
  randomPhone,
  sendCodeViaApi,
  solvedCaptcha,
  test,
} from "./support";

/**
 * The console as an operator reads it during an attack, on a desktop and on a phone: the event
 * filters (rule families, invalid input, paging, the live notice), the rules' confirmations, charts
 * and tables that fit a phone, and axe on every admin page.
 */
test.describe.configure({ mode: "serial" });

let adminState: Awaited<ReturnType<APIRequestContext["storageState"]>>;

test.beforeAll(async ({ playwright, baseURL }) => {
  adminState = await adminSignInState(playwright, baseURL, adminPhones[5]);
});

async function adminContext(browser: Browser, options: object = {}): Promise<BrowserContext> {
  return browser.newContext({
    ...options,
    storageState: adminState,
    extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
  });
}

/** Refusals of two families from one address: `captcha` forged ones, then premium-rate numbers. */
async function refuse(request: APIRequestContext, ip: string, forged: number, premium: number) {
  const headers = { "x-forwarded-for": ip };
  for (let index = 0; index < forged; index += 1)
    await request.post("/api/otp/send", { data: { phone: randomPhone().e164, captcha: "forged" }, headers });
  for (let index = 0; index < premium; index += 1)
    await request.post("/api/otp/send", {
      data: { phone: "+19005550123", captcha: await solvedCaptcha(request, "", headers) },
      headers,
    });
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

const eventRows = (page: Page) =>
  page
    .getByRole("region", { name: "Refused requests, newest first" })
    .getByRole("row")
    .filter({
      has: page.getByRole("cell"),
    });

test("the rule picker offers the catalogue's families, and a family filters the list", async ({
  browser,
  request,
}) => {
  const ip = randomClientIp();
  await refuse(request, ip, 3, 2);
  const context = await adminContext(browser);
  await waitForEvents(context, ip, 5);
  const page = await context.newPage();
  await page.goto(`/admin/events?ip=${encodeURIComponent(ip)}`);
  await expect(eventRows(page)).toHaveCount(5);

  const rule = page.getByLabel("Rule");
  await expect(rule.getByRole("option", { name: /^captcha\.\* \(all \d+ rules\)$/ })).toHaveCount(1);
  await expect(rule.getByRole("option", { name: "limit.send.* (all 9 rules)" })).toHaveCount(1);
  await rule.selectOption("captcha.*");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/rule=captcha\.\*/);
  await expect(eventRows(page)).toHaveCount(3);
  await expect(eventRows(page).filter({ hasText: "captcha.malformed" })).toHaveCount(3);
  await expect(rule).toHaveValue("captcha.*");

  await rule.selectOption("destination.line_type.premium_rate");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(eventRows(page)).toHaveCount(2);
  await context.close();
});

test("invalid filters keep what the operator typed and name the field in words, from the form and the URL", async ({
  browser,
}) => {
  const context = await adminContext(browser);
  const page = await context.newPage();
  await page.goto("/admin/events");
  await page.getByLabel("Country").fill("Singapore");
  await page.getByLabel("Number prefix").fill("+6581");
  await page.getByLabel("From (UTC)").fill("2026-11-29T09:00");
  await page.getByLabel("To (UTC)").fill("2026-11-29T08:00");
  await page.getByRole("button", { name: "Filter" }).click();
  const country = page.getByLabel("Country");
  await expect(country).toHaveAccessibleDescription("Country is a two-letter code such as SG.");
  await expect(country).toBeFocused();
  await expect(country).toHaveValue("Singapore");
  await expect(page.getByLabel("Number prefix")).toHaveValue("+6581");
  await expect(page).toHaveURL(/\/admin\/events$/);

  // Fixed, the time range is still wrong, and says so on To.
  await country.fill("SG");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByLabel("To (UTC)")).toHaveAccessibleDescription(
    "To is before From: choose a later time.",
  );
  await expect(page.getByLabel("From (UTC)")).toHaveValue("2026-11-29T09:00");

  // A hand-edited URL (or the form without JavaScript): every value stays, the refusal is announced.
  await page.goto("/admin/events?country=Singapore&from=yesterday&prefix=%2B6581&rule=captcha");
  const refusal = page.getByRole("form", { name: "Filter events" }).getByRole("alert");
  await expect(refusal).toContainText("These filters were not applied");
  await expect(refusal).toContainText("Country is a two-letter code such as SG.");
  await expect(page.getByLabel("Country")).toHaveValue("Singapore");
  await expect(page.getByLabel("From (UTC)")).toHaveValue("yesterday");
  await expect(page.getByLabel("From (UTC)")).toHaveAccessibleDescription(
    "From is a date and time such as 2026-11-29 08:00.",
  );
  await expect(page.getByLabel("Rule")).toHaveValue("captcha");
  await expect(page.getByLabel("Rule")).toHaveAccessibleDescription(
    "Rule is one of the rules or families in the list, such as captcha.*.",
  );
  await expect(page.getByLabel("Number prefix")).toHaveValue("+6581");
  await context.close();

  // Without JavaScript the form is a plain GET form, and the server keeps the values the same way.
  const plain = await adminContext(browser, { javaScriptEnabled: false });
  const noScript = await plain.newPage();
  await noScript.goto("/admin/events");
  await noScript.getByLabel("Country").fill("Singapore");
  await noScript.getByLabel("Rule").selectOption("captcha.*");
  await noScript.getByRole("button", { name: "Filter" }).click();
  await expect(noScript).toHaveURL(/country=Singapore/);
  await expect(noScript.getByLabel("Country")).toHaveValue("Singapore");
  await expect(noScript.getByLabel("Country")).toHaveAccessibleDescription(
    "Country is a two-letter code such as SG.",
  );
  await expect(noScript.getByLabel("Rule")).toHaveValue("captcha.*");
  await plain.close();
});

test("pages go older and back newer, keeping the filters", async ({ browser, request }) => {
  const ip = randomClientIp();
  await refuse(request, ip, 7, 0);
  const context = await adminContext(browser);
  await waitForEvents(context, ip, 7);
  const page = await context.newPage();
  await page.goto(`/admin/events?ip=${encodeURIComponent(ip)}&limit=3`);
  const pages = page.getByRole("navigation", { name: "Pages" });

  const shown: string[][] = [];
  const ids = async () => (await eventRows(page).allTextContents()).map((text) => text.slice(0, 40));
  shown.push(await ids());
  expect(shown[0]).toHaveLength(3);
  await expect(pages.getByRole("link", { name: /Newer events/ })).toHaveCount(0);

  await pages.getByRole("link", { name: /Older events/ }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(eventRows(page)).toHaveCount(3);
  shown.push(await ids());
  await pages.getByRole("link", { name: /Older events/ }).click();
  await expect(eventRows(page)).toHaveCount(1);
  await expect(pages.getByRole("link", { name: /Older events/ })).toHaveCount(0);

  await pages.getByRole("link", { name: /Newer events/ }).click();
  await expect(page).toHaveURL(/after=/);
  expect(new URL(page.url()).searchParams.get("ip")).toBe(ip);
  await expect.poll(ids).toEqual(shown[1]);
  await pages.getByRole("link", { name: /Newer events/ }).click();
  await expect.poll(ids).toEqual(shown[0]);
  await expect(pages.getByRole("link", { name: /Newer events/ })).toHaveCount(0);
  await context.close();
});

test("the new-events notice follows the filters, and on an older page leads to the newest", async ({
  browser,
  request,
}) => {
  const ip = randomClientIp();
  await refuse(request, ip, 4, 0);
  const context = await adminContext(browser);
  await waitForEvents(context, ip, 4);
  const page = await context.newPage();
  await page.goto(`/admin/events?ip=${encodeURIComponent(ip)}&limit=2`);
  const newest = await eventRows(page).first().textContent();
  await page
    .getByRole("navigation", { name: "Pages" })
    .getByRole("link", { name: /Older events/ })
    .click();
  await expect(page).toHaveURL(/cursor=/);

  // The notice asks about this page's filters only, after the newest event they had.
  const poll = await page.waitForRequest((sent) => sent.url().includes("/api/admin/events?"));
  const asked = new URL(poll.url()).searchParams;
  expect(asked.get("ip")).toBe(ip);
  expect(asked.get("limit")).toBe("1");
  expect(asked.get("after")).toMatch(/^\d+-\d+$/);

  // An event of another address is not news here: a poll that follows it finds nothing.
  await refuse(request, randomClientIp(), 1, 0);
  const unrelated = await context.request.get(`/api/admin/events?${asked}`);
  expect((await unrelated.json()).events).toEqual([]);
  await page.waitForResponse((answer) => answer.url().includes("/api/admin/events?"));
  const notice = page.getByRole("link", { name: "New events — go to the newest" });
  await expect(notice).toHaveCount(0);

  await refuse(request, ip, 1, 0);
  await expect(notice).toBeVisible({ timeout: 20_000 });
  await notice.click();
  await expect(page).toHaveURL(new RegExp(`/admin/events\\?ip=[^&]+&limit=2$`));
  await expect(eventRows(page).first()).not.toHaveText(newest!);
  await context.close();
});

test("rules: a shorter rule asks before it replaces a longer one, removing asks first, and outcomes are announced", async ({
  browser,
}) => {
  const prefix = randomPhone().e164.slice(0, 8);
  const context = await adminContext(browser);
  const page = await context.newPage();
  await page.goto("/admin/rules");
  const form = page.getByRole("form", { name: "Add a rule" });
  const add = async (ttl: string) => {
    await page.getByLabel("Action", { exact: true }).selectOption("block-prefix");
    await page.getByLabel("Value").fill(prefix);
    await page.getByLabel("For", { exact: true }).selectOption({ label: ttl });
    await page.getByRole("button", { name: "Add rule" }).click();
  };
  const rules = page.getByRole("list", { name: "Rules in force" });
  const row = rules.getByRole("listitem").filter({ hasText: prefix });

  await add("7 days");
  await expect(form.getByRole("status")).toHaveText(
    new RegExp(`^Saved: block-prefix \\${prefix} until .+ UTC\\.$`),
  );
  await expect(row).toHaveCount(1);
  const longUntil = await row.textContent();

  // Shorter: asked first, and "keep" changes nothing.
  await add("1 hour");
  const dialog = page.getByRole("dialog", { name: "Replace with a shorter rule?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`block-prefix ${prefix} is in force until`);
  await expect(dialog.getByRole("button", { name: "Keep the longer rule" })).toBeFocused();
  await dialog.getByRole("button", { name: "Keep the longer rule" }).click();
  await expect(dialog).toBeHidden();
  await expect(form.getByRole("status")).toContainText("Nothing changed");
  await expect(row).toHaveText(longUntil!);

  await add("1 hour");
  await dialog.getByRole("button", { name: /^Replace/ }).click();
  await expect(form.getByRole("status")).toContainText(`Saved: block-prefix ${prefix}`);
  await expect(row).not.toHaveText(longUntil!);

  // Removing asks; Cancel keeps the rule.
  await row.getByRole("button", { name: `Remove block-prefix ${prefix}` }).click();
  const remove = page.getByRole("dialog", { name: `Remove block-prefix ${prefix}?` });
  await expect(remove).toContainText("allowed again at once");
  expect(await axeFindings(page), "the open dialog").toEqual([]);
  await remove.getByRole("button", { name: "Cancel" }).click();
  await expect(row).toHaveCount(1);

  // A rule someone else removed meanwhile: the failure is reported, not swallowed.
  await row.getByRole("button", { name: `Remove block-prefix ${prefix}` }).click();
  const gone = await context.request.delete(
    `/api/admin/rules?${new URLSearchParams({ kind: "block-prefix", value: prefix })}`,
  );
  expect(gone.status()).toBe(204);
  await remove.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Not removed" })).toHaveText(
    `Not removed: block-prefix ${prefix}. No such rule.`,
  );
  await expect(row).toHaveCount(0);

  // And a removal that works says so, in a region that outlives the row.
  await add("1 day");
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: `Remove block-prefix ${prefix}` }).click();
  await remove.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Removed" })).toHaveText(
    `Removed block-prefix ${prefix}.`,
  );
  await expect(row).toHaveCount(0);
  await context.close();
});

const adminPages = [
  "/admin",
  "/admin/fraud",
  "/admin/backtest",
  "/admin/backtest?run=1&days=1",
  "/admin/events",
  "/admin/rules",
  "/admin/policy",
  "/admin/alerts",
  "/admin/client-ip",
];

/** axe's findings of moderate impact or more, by rule, with the elements they are on. */
async function axeFindings(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => ["moderate", "serious", "critical"].includes(violation.impact ?? ""))
    .map((violation) => ({ rule: violation.id, on: violation.nodes.map((node) => node.target.join(" ")) }));
}

test("every admin page passes axe with nothing of moderate impact or more, on a desktop and on a phone", async ({
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  // Charts and tables with data in them.
  const ip = randomClientIp();
  await refuse(request, ip, 2, 1);
  for (const viewport of [
    { width: 1280, height: 900 },
    { width: 390, height: 844 },
  ]) {
    const context = await adminContext(browser, { viewport });
    await waitForEvents(context, ip, 3);
    // A row in the alerts' table too.
    expect((await context.request.post("/api/admin/alerts/test")).status()).toBe(202);
    const page = await context.newPage();
    for (const path of adminPages) {
      await page.goto(path);
      expect(await axeFindings(page), `${path} at ${viewport.width} px`).toEqual([]);
    }
    await context.close();
  }
});

test("on a 390 px phone no admin page scrolls sideways: wide tables scroll in their own region", async ({
  browser,
  request,
}) => {
  const ip = randomClientIp();
  await refuse(request, ip, 1, 0);
  const context = await adminContext(browser, { viewport: { width: 390, height: 844 }, isMobile: true });
  await waitForEvents(context, ip, 1);
  const page = await context.newPage();
  for (const path of adminPages) {
    await page.goto(path);
    const overflow = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      // Anything wider than the screen outside a region made to scroll.
      offenders: [...document.querySelectorAll("body *")]
        .filter((element) => {
          const box = element.getBoundingClientRect();
          return (
            box.width > 0 &&
            (box.right > window.innerWidth + 0.5 || box.left < -0.5) &&
            !element.closest(".overflow-x-auto") &&
            getComputedStyle(element).position !== "fixed"
          );
        })
        .map((element) => `${element.tagName.toLowerCase()}.${element.className}`.slice(0, 80)),
    }));
    expect(overflow, path).toEqual({ page: 0, offenders: [] });
    // Cards keep the page's margin: nothing touches the screen's edges.
    for (const card of await page.locator("main section").all()) {
      const box = (await card.boundingBox())!;
      expect(box.x, path).toBeGreaterThanOrEqual(8);
      expect(box.x + box.width, path).toBeLessThanOrEqual(390 - 8);
    }
  }
  // The event table scrolls by design, and a keyboard can reach its region.
  await page.goto(`/admin/events?ip=${encodeURIComponent(ip)}`);
  const region = page.getByRole("region", { name: "Refused requests, newest first" });
  await region.focus();
  await expect(region).toBeFocused();
  expect(await region.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
  await context.close();
});

test("the console during a simulated attack: charts by rule family, with their scale, details and table", async ({
  browser,
  playwright,
  baseURL,
}, testInfo) => {
  test.setTimeout(180_000);
  // An attack from many addresses of one network: forged CAPTCHAs, premium-rate numbers, and one
  // address past its send limit (sends to the sandbox emulator).
  const network = randomClientIp().split(":").slice(0, 3).join(":");
  const attackers = Array.from({ length: 6 }, (_, index) => `${network}:${index + 1}::1`);
  for (const [index, ip] of attackers.entries()) {
    const bot = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": ip } });
    await refuse(bot, ip, 6 + index, index % 3);
    await bot.dispose();
  }
  const flooder = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { "x-forwarded-for": attackers[0]! },
  });
  for (let index = 0; index < 7; index += 1) await sendCodeViaApi(flooder, { phone: randomPhone().e164 });
  await flooder.dispose();

  const context = await adminContext(browser, { viewport: { width: 1100, height: 900 } });
  await waitForEvents(context, `${network}::/48`, 40);
  const page = await context.newPage();
  await page.goto("/admin");
  const chart = page.getByRole("group", { name: /^Refusals per minute, last hour, by rule: \d+ refusals$/ });
  await expect(chart).toBeVisible();
  const figure = page.getByRole("figure").filter({ has: chart });
  // A legend entry per family, each its own colour.
  const legend = figure.getByRole("list", { name: "Legend" });
  await expect(legend).toContainText("captcha.*");
  await expect(legend).toContainText("limit.*");
  await expect(legend).toContainText("destination.*");
  // Each family its own look: a colour, or a colour and stripes (families beyond the eight colours).
  const looks = await legend.locator("li > span").evaluateAll((swatches) =>
    swatches.map((swatch) => {
      const style = getComputedStyle(swatch);
      return `${style.backgroundColor} ${style.backgroundImage}`;
    }),
  );
  expect(new Set(looks).size).toBe(looks.length);
  // The newest bar holding the forged CAPTCHAs (the attack can straddle a minute, and the newest
  // minute then has only its last refusals): keyboard-focusable, its details shown and spoken.
  const bar = chart.getByRole("img", { name: /captcha\.\* \d+/ }).last();
  await bar.focus();
  await expect(bar).toHaveAccessibleName(/UTC: \d+ refusals, .*captcha\.\* \d+/);
  await expect(bar.locator("div[aria-hidden]").last()).toBeVisible();
  // The data as a table.
  await figure.getByText("Show as a table").click();
  await expect(figure.getByRole("table").getByRole("columnheader", { name: "captcha.*" })).toBeVisible();
  await figure.getByText("Show as a table").click();
  await bar.focus();

  const path = testInfo.outputPath("console-during-attack.png");
  await page.screenshot({ path, fullPage: false });
  await testInfo.attach("console-during-attack.png", { path, contentType: "image/png" });
  await context.close();
});
