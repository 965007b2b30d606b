import type { StoreBackend } from "@/lib/store/types";

/** One sliding-window limit as a decision over a single budget: what a test needs to count hits. */
export function singleLimit(
  backend: StoreBackend,
  { name, limit, windowSeconds }: { name: string; limit: number; windowSeconds: number },
) {
  const budget = { kind: "window", key: `limit:${name}`, limit, windowSeconds } as const;
  return {
    async limit(identifier: string): Promise<{ success: boolean; resetAt: number }> {
      const decision = await backend.budgets.decide({
        checks: [{ ...budget, key: `${budget.key}:${identifier}`, role: "core" }],
      });
      if (decision.allowed) return { success: true, resetAt: decision.nextAllowedAt };
      return { success: false, resetAt: decision.gate ? Date.now() : decision.retryAt };
    },
    async reset(identifier: string): Promise<void> {
      await backend.budgets.reset([{ ...budget, key: `${budget.key}:${identifier}` }]);
    },
  };
}
