import { expect, randomPhone, sendCodeViaApi, test } from "./support";

const secondInstance = process.env.E2E_SECOND_URL ?? "";

test("runs the two-instance tests wherever Redis is reachable, and CI always has it", () => {
  if (!secondInstance)
    console.warn("No Redis reachable: the two-instance tests did not run (one instance, in-process store).");
  if (process.env.CI) expect(process.env.E2E_STORE, "CI must run the e2e servers on Redis").toBe("redis");
});

// Declared only when a second instance runs (a Redis is reachable); the test above says so otherwise.
if (secondInstance) declareTwoInstanceTests();

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
