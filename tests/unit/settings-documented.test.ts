import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

/** Every setting the env module reads is in .env.example and in the README's configuration table. */
it("documents every environment variable in .env.example and the README", () => {
  const read = (file: string) => readFileSync(path.join(process.cwd(), file), "utf8");
  const envModule = read("lib/env.ts");
  const schema = envModule.slice(
    envModule.indexOf("const rawEnvSchema"),
    envModule.indexOf("const DEVELOPMENT_AUTH_SECRET"),
  );
  const inModule = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)]
    .map((match) => match[1]!)
    .filter((name) => name !== "NODE_ENV");
  const inExample = [...read(".env.example").matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]!);
  const configuration = read("README.md").split("## Configuration")[1]!.split("\n## ")[0]!;
  const inReadme = [...configuration.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]!);

  expect(inModule.length).toBeGreaterThan(20);
  expect(new Set(inExample)).toEqual(new Set(inModule));
  for (const name of inModule) expect(inReadme, `${name} in the README`).toContain(name);
});
