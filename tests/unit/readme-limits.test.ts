import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { config, defaultLimits, formatSetting, formatWindow, type Setting } from "@/lib/config";

const read = (file: string) => readFileSync(path.join(process.cwd(), file), "utf8");

/** The README's text between `<!-- name:start -->` and `<!-- name:end -->`. */
function readmeBlock(name: string): string | undefined {
  const pattern = new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`);
  return pattern.exec(read("README.md"))?.[1]?.trim();
}

/** Every entry of the config module as `[group.name, setting]`. */
const settings = Object.entries(config).flatMap(([group, entries]) =>
  Object.entries(entries as Record<string, Setting>).map(
    ([name, setting]) => [`${group}.${name}`, setting] as const,
  ),
);

/** The README's limits table, as it must read for the defaults in lib/config.ts. */
function expectedLimitsTable(): string {
  const rows = Object.entries(defaultLimits).map(
    ([name, { limit, windowSeconds, scope }]) =>
      `| \`${name}\` | ${limit} per ${formatWindow(windowSeconds)} | ${scope} |`,
  );
  return ["| Limit | Default | What it counts |", "|---|---|---|", ...rows].join("\n");
}

/** The README's timeouts, lifetimes and capacities table, as it must read for lib/config.ts. */
function expectedSettingsTable(): string {
  const rows = settings.map(([name, setting]) => {
    const variable = setting.env ? `\`${setting.env.name}\` (${setting.env.min}–${setting.env.max})` : "—";
    return `| \`${name}\` | ${formatSetting(setting)} | ${variable} | ${setting.reason} |`;
  });
  return ["| Setting | Default | Variable (range) | Why |", "|---|---|---|---|", ...rows].join("\n");
}

// On a mismatch, paste the expected table (shown in the diff) into the README.
it("keeps the README's limits table in step with the config module", () => {
  expect(readmeBlock("limits")).toBe(expectedLimitsTable());
});

it("keeps the README's timeouts, lifetimes and capacities table in step with the config module", () => {
  expect(readmeBlock("settings")).toBe(expectedSettingsTable());
});

it("says why a value no environment variable changes is fixed", () => {
  for (const [name, setting] of settings) {
    expect(setting.reason.startsWith("Fixed: "), `${name}: ${setting.reason}`).toBe(
      setting.env === undefined,
    );
  }
});

it("shuts lib/node-server.mjs down within the config's drain and exit times", () => {
  // Plain Node runs that file before the build's modules load, so it keeps its own copies.
  const server = read("lib/node-server.mjs");
  const constant = (name: string) =>
    Number(new RegExp(`const ${name} = ([\\d_]+);`).exec(server)?.[1]?.replace(/_/g, ""));
  expect(constant("DRAIN_WITHIN_MS")).toBe(config.server.drainWithin.value);
  expect(constant("EXIT_WITHIN_MS")).toBe(config.server.exitWithin.value);
});
