import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { config, type Setting } from "@/lib/config";

const read = (file: string) => readFileSync(path.join(process.cwd(), file), "utf8");

/** The variables lib/env.ts validates (its schema's keys). */
function variablesInEnvModule(): string[] {
  const envModule = read("lib/env.ts");
  const schema = envModule.slice(
    envModule.indexOf("const rawEnvSchema"),
    envModule.indexOf("const DEVELOPMENT_AUTH_SECRET"),
  );
  return [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)]
    .map((match) => match[1]!)
    .filter((name) => name !== "NODE_ENV");
}

/** The README's configuration table: each row's variables (first column) and its default cell. */
function readmeConfigurationRows(): { names: string[]; defaultCell: string }[] {
  const section = read("README.md").split("## Configuration")[1]!.split("\n## ")[0]!;
  return [...section.matchAll(/^\| ([^|]+) \| ([^|]+) \|/gm)]
    .map((match) => ({
      names: [...match[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((name) => name[1]!),
      defaultCell: match[2]!.trim(),
    }))
    .filter((row) => row.names.length > 0);
}

it("documents every environment variable in .env.example and the README, and no other", () => {
  const inModule = variablesInEnvModule();
  const inExample = [...read(".env.example").matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]!);
  const inReadme = readmeConfigurationRows().flatMap((row) => row.names);

  expect(inModule.length).toBeGreaterThan(20);
  expect(new Set(inExample)).toEqual(new Set(inModule));
  // Both ways: a variable the README leaves out, or a row for one that no longer exists, fails.
  expect([...inReadme].sort()).toEqual([...inModule].sort());
});

it("gives each configurable value its config default in the README's configuration table", () => {
  const inModule = variablesInEnvModule();
  const rows = readmeConfigurationRows();
  const configurable = Object.values(config).flatMap((entries) =>
    Object.values(entries as Record<string, Setting>).filter((setting) => setting.env),
  );

  expect(configurable.length).toBeGreaterThan(10);
  for (const { value, env } of configurable) {
    expect(inModule, `${env!.name} in lib/env.ts`).toContain(env!.name);
    const row = rows.find((candidate) => candidate.names.includes(env!.name));
    expect(row?.defaultCell, `${env!.name}'s default in the README`).toBe(`\`${value}\``);
  }
});
