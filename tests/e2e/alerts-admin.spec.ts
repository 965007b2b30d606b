import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext } from "@playwright/test";
import { adminPhones, adminSignInState, expect, randomClientIp, test } from "./support";

/**
 * The alerts page, as an operator checks it. The e2e admin instance has no webhook configured
 * (production allows only https, and the delivery itself is tested in
 * tests/integration/alerts.test.ts against a local receiver), so a test alert is recorded as such.
 */
let adminState: Awaited<ReturnType<APIRequestContext["storageState"]>>;

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ playwright, baseURL }) => {
  adminState = await adminSignInState(playwright, baseURL, adminPhones[3]);
});

test("anonymous visitors get 401 from the alert endpoints and the sign-in page from the alerts page", async ({
  page,
  request,
}) => {
  expect((await request.get("/api/admin/alerts")).status()).toBe(401);
  expect((await request.post("/api/admin/alerts/test")).status()).toBe(401);
  await page.goto("/admin/alerts");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fadmin%2Falerts$/);
});

test("an admin opens Alerts from the console, sends a test alert and sees it recorded", async ({
  browser,
}) => {
  const context = await browser.newContext({
    storageState: adminState,
    extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
  });
  const page = await context.newPage();
  await page.goto("/admin");
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Alerts" }).click();
  await expect(page).toHaveURL(/\/admin\/alerts$/);
  await expect(page.getByText("Not configured: alerts are recorded here but not sent")).toBeVisible();

  await page.getByRole("button", { name: "Send a test alert" }).click();
  await expect(page.getByRole("status")).toContainText("Test alert recorded; no webhook is configured");
  const row = page
    .getByRole("table", { name: /Recent alert deliveries/ })
    .getByRole("row")
    .nth(1);
  await expect(row).toContainText("Test alert started");
  await expect(row).toContainText("not configured");

  const axe = await new AxeBuilder({ page }).analyze();
  expect(
    axe.violations.filter((violation) => ["serious", "critical"].includes(violation.impact ?? "")),
  ).toEqual([]);

  // The button's endpoint refuses other sites' pages, admin session or not.
  const crossSite = await context.request.post("/api/admin/alerts/test", {
    headers: { Origin: "https://attacker.example", "Sec-Fetch-Site": "cross-site" },
  });
  expect(crossSite.status()).toBe(403);
  await context.close();
});
