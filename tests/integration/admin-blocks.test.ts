import { NextRequest } from "next/server";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { DELETE, POST } from "@/app/api/admin/blocks/route";
import { listAdminActions } from "@/lib/admin/audit";
import { conversionBudgetOfLabel } from "@/lib/defenses/limits";
import { maskPhone } from "@/lib/phone";
import { getBackend } from "@/lib/store";

/** Lift and Extend of the fraud console, through the real route handlers. */
const ADMIN = "+6581119966";
const session = vi.hoisted(() => {
  process.env.ADMIN_PHONE_NUMBERS = "+6581119966";
  return { current: null as { user: { phone: string; signedInAt: number } } | null };
});
vi.mock("@/lib/auth", () => ({ auth: async () => session.current }));

/** Blocks `label`'s level as a ring would: its floor lowered to one unverified send. */
async function blockLevel(label: string) {
  const budget = conversionBudgetOfLabel(label)!;
  const check = { ...budget, floor: 1, block: { ...budget.block!, minVolume: 1 }, role: "core" as const };
  await getBackend().budgets.decide({ checks: [check] });
  const refused = await getBackend().budgets.decide({ checks: [check] });
  expect(refused).toMatchObject({ allowed: false, blocked: [{ block: { label } }] });
}

const request = (method: string, url: string, body?: unknown, site = "same-origin") =>
  new NextRequest(`http://localhost${url}`, {
    method,
    headers: { "Content-Type": "application/json", "Sec-Fetch-Site": site },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe("automatic blocks in the console", () => {
  beforeEach(() => {
    session.current = { user: { phone: ADMIN, signedInAt: Date.now() } };
  });

  it("lifts a block by its label, audited, and answers 404 once it is gone", async () => {
    await blockLevel("range +62877");
    const labels = async () => (await getBackend().budgets.listBlocks(100)).map((block) => block.label);
    expect(await labels()).toContain("range +62877");

    const lifted = await DELETE(request("DELETE", "/api/admin/blocks?label=range%20%2B62877"));
    expect(lifted.status).toBe(204);
    expect(await labels()).not.toContain("range +62877");
    // The audit log names the admin by a masked number, never the full one.
    expect((await listAdminActions(10))[0]).toMatchObject({
      admin: maskPhone(ADMIN),
      action: "lift block",
      target: "range +62877",
    });

    const again = await DELETE(request("DELETE", "/api/admin/blocks?label=range%20%2B62877"));
    expect(again.status).toBe(404);
  });

  it("extends a block from now, audited", async () => {
    await blockLevel("country TH");
    const response = await POST(
      request("POST", "/api/admin/blocks", { label: "country TH", extendSeconds: 86400 }),
    );
    expect(response.status).toBe(200);
    const { until } = (await response.json()) as { until: number };
    expect(until).toBeGreaterThan(Date.now() + 86_000_000);
    const block = (await getBackend().budgets.listBlocks(100)).find((entry) => entry.label === "country TH");
    // The store fixes the end on its own clock, within a moment of the answer's.
    expect(Math.abs(block!.until - until)).toBeLessThan(1000);
    expect((await listAdminActions(10))[0]).toMatchObject({ action: "extend block", target: "country TH" });
  });

  it("refuses a label that names no level with 400, and a cross-site request with 403", async () => {
    const bad = await POST(
      request("POST", "/api/admin/blocks", { label: "prefix +6581", extendSeconds: 3600 }),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty(
      "label",
    );
    const missing = await DELETE(request("DELETE", "/api/admin/blocks"));
    expect(missing.status).toBe(400);
    const crossSite = await DELETE(
      request("DELETE", "/api/admin/blocks?label=country%20TH", undefined, "cross-site"),
    );
    expect(crossSite.status).toBe(403);
    const none = await POST(
      request("POST", "/api/admin/blocks", { label: "range +1999", extendSeconds: 3600 }),
    );
    expect(none.status).toBe(404);
  });
});
