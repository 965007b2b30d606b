import { describe, expect, it, vi } from "vitest";

/**
 * A production build holds several copies of lib/store/deadline.ts (one per route bundle, one for
 * the instrumentation hook), and the backend throws the error class of whichever copy built it.
 * Two fresh imports reproduce that here.
 */
async function freshCopy() {
  vi.resetModules();
  return import("@/lib/store/deadline");
}

describe("isStoreUnavailable", () => {
  it("recognises a store failure raised by another copy of the module, where instanceof cannot", async () => {
    const thrower = await freshCopy();
    const catcher = await freshCopy();
    expect(catcher.StoreUnavailableError).not.toBe(thrower.StoreUnavailableError);

    const failure: unknown = await thrower
      .withDeadline("GET", Promise.reject(new Error("connect ECONNREFUSED")), 1000)
      .catch((error: unknown) => error);
    expect(failure instanceof catcher.StoreUnavailableError).toBe(false);
    expect(catcher.isStoreUnavailable(failure)).toBe(true);
  });

  it("keeps the first store failure when deadlines are nested across copies", async () => {
    const inner = await freshCopy();
    const outer = await freshCopy();
    const failure: unknown = await outer
      .withDeadline("pipeline", inner.withDeadline("GET", Promise.reject(new Error("down")), 1000), 1000)
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ operation: "GET" });
  });

  it("is false for other errors, and for look-alikes without the brand", async () => {
    const { isStoreUnavailable } = await freshCopy();
    expect(isStoreUnavailable(new Error("The store did not answer GET"))).toBe(false);
    expect(isStoreUnavailable(Object.assign(new Error("x"), { name: "StoreUnavailableError" }))).toBe(false);
    expect(isStoreUnavailable(null)).toBe(false);
    expect(isStoreUnavailable("StoreUnavailableError")).toBe(false);
  });
});
