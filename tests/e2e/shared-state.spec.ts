import { spawnSync } from "node:child_process";
import { startBuiltServer, type BuiltServer } from "../support/instance";
import { freePort, sandboxServerEnv } from "../support/server-env";
import {
  expect,
  randomClientIp,
  randomPhone,
  readLatestCode,
  sendCodeViaApi,
  SignInPage,
  test,
} from "./support";

const secondInstance = process.env.E2E_SECOND_URL ?? "";

test("runs the two-instance tests wherever Redis is reachable, and CI always has it", () => {
  if (!secondInstance)
    console.warn("No Redis reachable: the two-instance tests did not run (one instance, in-process store).");
  if (process.env.CI) expect(process.env.E2E_STORE, "CI must run the e2e servers on Redis").toBe("redis");
});

// Declared only when a second instance runs (a Redis is reachable); the test above says so otherwise.
if (secondInstance) declareTwoInstanceTests();
// Attack mode is a flag in the shared store, which a test can set only in a Redis it reaches.
if (process.env.E2E_STORE === "redis") declareAttackModeTests();

function declareTwoInstanceTests() {
  test.describe("two app instances on one Redis", () => {
    test("share the per-address limit: sends through both, alternately, admit exactly the limit", async ({
      request,
    }) => {
      const statuses: number[] = [];
      for (let index = 0; index < 7; index += 1) {
        const base = index % 2 === 0 ? "" : secondInstance;
        const response = await sendCodeViaApi(request, { phone: randomPhone().e164 }, base);
        statuses.push(response.status());
      }
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429]);
    });

    test("share users: a number signed up on one instance is a known user on the other", async ({
      request,
    }) => {
      const phone = randomPhone();
      for (const [base, isNewUser] of [
        ["", true],
        [secondInstance, false],
      ] as const) {
        expect((await sendCodeViaApi(request, { phone: phone.e164 }, base)).status()).toBe(202);
        const inbox = await request.get(`${base}/api/sandbox/messages?to=${encodeURIComponent(phone.e164)}`);
        const code = (await inbox.json()).messages[0].code as string;
        const verified = await request.post(`${base}/api/otp/verify`, { data: { code } });
        expect(await verified.json()).toEqual({ status: "verified", isNewUser });
      }
    });

    test("report the shared store in their health", async ({ request }) => {
      for (const base of ["", secondInstance]) {
        expect(await (await request.get(`${base}/api/health`)).json()).toMatchObject({
          status: "ok",
          store: "redis",
          storeReachable: true,
        });
      }
    });
  });
}

function declareAttackModeTests() {
  test.describe("attack mode starting while a person signs in", () => {
    const redisUrl = process.env.E2E_REDIS_URL ?? "redis://127.0.0.1:6379";
    // A server and key prefix of its own: attack mode on the suite's servers would change every
    // other test's proof of work, and the detector may switch it on there at any moment.
    const prefix = `${process.env.E2E_STORE_PREFIX}attack-mode:`;
    const redis = (...args: string[]) =>
      (spawnSync("redis-cli", ["-u", redisUrl, ...args], { encoding: "utf8" }).stdout ?? "").trim();
    let server: BuiltServer;

    test.beforeAll(async () => {
      server = await startBuiltServer(await freePort(), {
        ...sandboxServerEnv,
        REDIS_URL: redisUrl,
        STORE_KEY_PREFIX: prefix,
      });
    });

    test.afterAll(async () => {
      redis("DEL", `${prefix}captcha:attack-mode`);
      server?.signal("SIGTERM");
      await server?.exited;
    });

    test("a proof of work bought before attack mode is solved again at its price, and the code sent unasked", async ({
      browser,
    }) => {
      const context = await browser.newContext({
        baseURL: server.url,
        extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
      });
      const page = await context.newPage();
      // Each challenge's price (PBKDF2 iterations per try), and the sign-in page's posts.
      const prices: number[] = [];
      page.on("response", async (response) => {
        if (response.url().includes("/api/captcha/challenge"))
          prices.push(((await response.json()) as { parameters: { cost: number } }).parameters.cost);
      });
      const posts: string[] = [];
      page.on("request", (request) => {
        if (request.method() === "POST" && new URL(request.url()).pathname === "/sign-in")
          posts.push(request.url());
      });
      await page.goto("/sign-in");
      // The page buys its challenge in the background at the normal price…
      await expect.poll(() => prices.length).toBe(1);
      // …then attack mode starts (as the detector would switch it on), voiding that challenge.
      expect(
        redis("SET", `${prefix}captcha:attack-mode`, JSON.stringify({ at: Date.now() }), "EX", "600"),
      ).toBe("OK");

      const phone = randomPhone();
      const signInPage = new SignInPage(page);
      await signInPage.requestCode(phone.national);
      // Refused once (`captcha.outdated`), then sent again on a challenge bought at the attack price.
      expect(posts).toHaveLength(2);
      expect(prices[1]).toBeGreaterThan(prices[0]!);
      // The refused send bought nothing from 8x8: one SMS, for the send made again.
      await signInPage.enterCode(await readLatestCode(page.request, phone.e164));
      await expect(page).toHaveURL(/\/account/);
      const inbox = await page.request.get(`/api/sandbox/messages?to=${encodeURIComponent(phone.e164)}`);
      expect(((await inbox.json()) as { messages: unknown[] }).messages).toHaveLength(1);
      await context.close();
    });
  });
}
