import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // `server-only` throws outside a React Server Components bundle; tests are server code.
      "server-only": path.join(root, "tests/support/empty-module.ts"),
    },
  },
  test: {
    environment: "node",
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    benchmark: { include: ["tests/bench/**/*.bench.ts"] },
    testTimeout: 15_000,
    globalSetup: ["tests/support/database-global-setup.ts"],
    setupFiles: ["tests/support/database-setup.ts"],
    // Cheap proof of work in tests; production defaults are far higher (see README). The suites
    // send many codes nobody enters to a few number ranges: the fraud budgets' floors are raised
    // here, and tests/integration/fraud-budgets.test.ts tests them at their defaults.
    env: {
      ALTCHA_COST: "10",
      ALTCHA_MAX_COUNTER: "20",
      EIGHT_BY_EIGHT_TIMEOUT_MS: "1000",
      FRAUD_RANGE_FLOOR: "100000",
      FRAUD_COUNTRY_FLOOR: "1000000",
      FRAUD_RANGE_DAY_FLOOR: "1000000",
      FRAUD_COUNTRY_DAY_FLOOR: "10000000",
    },
    // next-auth imports "next/server" without an extension; let Vite resolve it.
    server: { deps: { inline: ["next-auth"] } },
  },
});
