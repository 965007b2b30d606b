import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { defaultLimits, formatWindow } from "@/lib/config";

/** The README's limits table, as it must read for the defaults in lib/config.ts. */
function expectedTable(): string {
  const rows = Object.entries(defaultLimits).map(
    ([name, { limit, windowSeconds, scope }]) =>
      `| \`${name}\` | ${limit} per ${formatWindow(windowSeconds)} | ${scope} |`,
  );
  return ["| Limit | Default | What it counts |", "|---|---|---|", ...rows].join("\n");
}

it("keeps the README's limits table in step with the config module", () => {
  const readme = readFileSync(path.join(process.cwd(), "README.md"), "utf8");
  const table = /<!-- limits:start -->([\s\S]*?)<!-- limits:end -->/.exec(readme)?.[1]?.trim();
  // On a mismatch, paste the expected table (shown in the diff) into the README.
  expect(table).toBe(expectedTable());
});
