import { adminPhones, countMessages, expect, randomPhone, signInViaApi, test } from "./support";

test.describe("client IP behind a trusted proxy", () => {
  test("a forged X-Forwarded-For entry never becomes the client address", async ({ request, clientIp }) => {
    await signInViaApi(request, adminPhones[0]);
    const seen = new Set<string>();
    for (const spoofed of ["1.2.3.4", "8.8.8.8, 9.9.9.9", "2001:4860::8888", "garbage"]) {
      const response = await request.get("/api/admin/client-ip", {
        headers: { "x-forwarded-for": `${spoofed}, ${clientIp}`, "x-otp-shield-peer": "forged 6.6.6.6" },
      });
      expect(response.status()).toBe(200);
      const diagnosis = await response.json();
      seen.add(diagnosis.resolved);
      const [, , third, fourth] = clientIp.split(":");
      expect(diagnosis.keys).toEqual({
        address: `2001:db8:${third}:${fourth}::/64`,
        aggregate: `2001:db8:${third}::/48`,
      });
      expect(["127.0.0.1", "::1", "::ffff:127.0.0.1"]).toContain(diagnosis.peerAddress);
      expect(diagnosis.strategy).toEqual({
        type: "rightmost-trusted-range",
        header: "x-forwarded-for",
        trustedRanges: ["127.0.0.0/8", "::1"],
      });
    }
    expect([...seen]).toEqual([clientIp]);
  });

  test("a send whose client address cannot be trusted is refused before any SMS", async ({ request }) => {
    const phone = randomPhone();
    const response = await request.post("/api/otp/send", {
      data: { phone: phone.e164 },
      headers: { "x-forwarded-for": "127.0.0.1" },
    });
    expect(response.status()).toBe(403);
    expect((await response.json()).error.code).toBe("forbidden");
    expect(await countMessages(request, phone.e164)).toBe(0);
  });
});

test.describe("client-IP diagnostics are for admins only", () => {
  test("anonymous callers get 401 from the endpoint and the sign-in page from the page", async ({
    page,
    request,
  }) => {
    const attempts: Record<string, string>[] = [
      {},
      { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
    ];
    for (const headers of attempts) {
      const response = await request.get("/api/admin/client-ip", { headers });
      expect(response.status()).toBe(401);
      expect(JSON.stringify(await response.json())).not.toContain("x-forwarded-for");
    }
    await page.goto("/admin/client-ip");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fadmin%2Fclient-ip$/);
  });

  test("a signed-in non-admin gets 403 from the endpoint and 404 from the page", async ({ page }) => {
    await signInViaApi(page.request, randomPhone().e164);
    const response = await page.request.get("/api/admin/client-ip");
    expect(response.status()).toBe(403);
    const visit = await page.goto("/admin/client-ip");
    expect(visit?.status()).toBe(404);
    await expect(page.getByText("Resolved client address")).toHaveCount(0);
  });

  test("an admin sees how the current request was resolved", async ({ page, clientIp }) => {
    await signInViaApi(page.request, adminPhones[1]);
    await page.goto("/admin/client-ip");
    await expect(page.getByRole("heading", { name: "Client-IP diagnostics" })).toBeVisible();
    await expect(page.locator("dl").first()).toContainText(`Resolved client address${clientIp}`);
    await expect(page.getByText("Resolved from the header, walking from the right.")).toBeVisible();
  });
});
