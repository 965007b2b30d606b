import type { APIRequestContext } from "@playwright/test";
import { adminPhones, adminSignInState, expect, randomClientIp, sendCodeViaApi, test } from "./support";

/**
 * The fraud console during an attack: a ring pumps one number range until its conversion budget
 * blocks it (the admin instance runs FRAUD_RANGE_FLOOR=20, playwright.config.ts); the block shows on
 * /admin/fraud with its evidence, and Lift ends it.
 */
test.describe.configure({ mode: "serial" });

let adminState: Awaited<ReturnType<APIRequestContext["storageState"]>>;
/** A range the other specs never use (their random numbers start 81–88). */
const RING_RANGE = "+65897";

test.beforeAll(async ({ playwright, baseURL }) => {
  adminState = await adminSignInState(playwright, baseURL, adminPhones[4]);
});

test("a ring's range is blocked, shown with its evidence on the fraud page, and Lift ends the block", async ({
  browser,
  playwright,
  baseURL,
}) => {
  test.setTimeout(120_000);
  // 21 codes nobody enters, each to its own number from its own address: the 21st is refused.
  const statuses: number[] = [];
  for (let index = 0; index < 21; index += 1) {
    const bot = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
    });
    const phone = `${RING_RANGE}${index % 10}${String(Math.floor(Math.random() * 1e4)).padStart(4, "0")}`;
    statuses.push((await sendCodeViaApi(bot, { phone })).status());
    await bot.dispose();
  }
  expect(statuses.slice(0, 20).every((status) => status === 202)).toBe(true);
  expect(statuses[20]).toBe(429);

  const context = await browser.newContext({
    storageState: adminState,
    extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
  });
  const page = await context.newPage();
  await page.goto("/admin");
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Fraud" }).click();
  await expect(page).toHaveURL(/\/admin\/fraud$/);

  const blocks = page.getByRole("table", { name: "Automatic blocks in force" });
  const row = blocks.getByRole("row").filter({ hasText: `range ${RING_RANGE}` });
  await expect(row).toContainText("20 sent, 0 verified");
  await expect(page.getByRole("group", { name: /^SG: \d+ sent, \d+ verified/ }).first()).toBeVisible();
  // The sends are counted a moment after their responses.
  await expect
    .poll(async () => {
      await page.reload();
      return page.getByRole("table", { name: "Number ranges with the most sends" }).textContent();
    })
    .toContain(RING_RANGE);

  await row.getByRole("button", { name: `Lift range ${RING_RANGE}` }).click();
  // The page is read again without the block.
  await expect(row).toHaveCount(0);
  const audit = await context.request.get("/api/admin/audit");
  expect(JSON.stringify(await audit.json())).toContain(`"target":"range ${RING_RANGE}"`);

  // A backtest of a lower range floor refuses part of the ring (replays need the recorded sends).
  await page.goto(`/admin/backtest?run=1&days=1&rangeFloor=5`);
  const result = page.getByRole("table", { name: /What the proposal would have done/ });
  const refusedRow = result.getByRole("row").filter({ hasText: "Refused by rule" });
  await expect(refusedRow).toContainText("fraud.range");
  await context.close();
});
