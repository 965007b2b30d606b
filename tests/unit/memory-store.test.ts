import { describe, expect, it } from "vitest";
import { createMemoryKeyValueStore as createMemoryStore } from "@/lib/store/memory-store";

describe("memory store", () => {
  it("gives a value to exactly one of many concurrent takers", async () => {
    const store = createMemoryStore();
    await store.set("grant", { user: "a" });
    const results = await Promise.all(Array.from({ length: 100 }, () => store.take("grant")));
    expect(results.filter((result) => result !== null)).toHaveLength(1);
  });

  it("creates a key once under concurrent setIfAbsent", async () => {
    const store = createMemoryStore();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) => store.setIfAbsent("user", index)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("forgets values when their TTL runs out", async () => {
    let now = 1_000_000;
    const store = createMemoryStore(() => now);
    await store.set("pending", "x", 10);
    expect(await store.get("pending")).toBe("x");
    now += 10_000;
    expect(await store.get("pending")).toBeNull();
    expect(await store.setIfAbsent("pending", "y", 10)).toBe(true);
  });
});
