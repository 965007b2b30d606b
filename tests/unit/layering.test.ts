import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The layers of the code, lowest first (the README's "How it is built" lists the same): a module
 * may import modules of its own layer or a lower one, never a higher one. An entry is a file or a
 * folder (ending in `/`); the longest entry that matches a file places it, so a file listed by
 * itself can sit below the rest of its folder.
 */
const layers: { name: string; modules: string[] }[] = [
  {
    name: "pure",
    modules: [
      "lib/config.ts",
      "lib/phone.ts",
      "lib/http/refusals.ts",
      "lib/api/",
      // lib/env.ts parses the client-IP settings with these.
      "lib/client-ip/ip-address.ts",
      "lib/client-ip/strategies.ts",
      "lib/client-ip/settings.ts",
      // The admin API's responses are the event log's types.
      "lib/events/types.ts",
      // The browser's side of the passkey ceremonies (the components use it).
      "lib/passkeys/browser.ts",
      // The message catalogues and their helpers (the language of a request: lib/i18n/server.ts).
      "lib/i18n/index.ts",
      "lib/i18n/messages/",
    ],
  },
  { name: "env", modules: ["lib/env.ts"] },
  { name: "store", modules: ["lib/store/"] },
  { name: "database", modules: ["lib/db/"] },
  {
    name: "infrastructure",
    modules: [
      "lib/client-ip/",
      "lib/eight-by-eight/",
      "lib/http/errors.ts",
      "lib/http/request-body.ts",
      "lib/http/same-origin.ts",
      "lib/http/cookies.ts",
      "lib/http/signing.ts",
      "lib/http/method-not-allowed.ts",
      "lib/i18n/",
    ],
  },
  { name: "events and alerts", modules: ["lib/events/", "lib/alerts/"] },
  { name: "route wrappers", modules: ["lib/http/public-route.ts", "lib/http/admin-route.ts"] },
  // Accounts, sessions and passkeys in the database.
  { name: "accounts", modules: ["lib/accounts/", "lib/startup-check.ts"] },
  // The send policy reads these two sign-in records (a sealed and a signed cookie); the sign-in
  // flows that use the defenses sit above them.
  {
    name: "sign-in records",
    modules: ["lib/sign-in/pending-verification.ts", "lib/sign-in/known-device.ts"],
  },
  { name: "defenses", modules: ["lib/defenses/"] },
  { name: "sign-in", modules: ["lib/sign-in/"] },
  // Deleting an account reaches into every store that names its number.
  { name: "privacy", modules: ["lib/privacy/"] },
  { name: "auth", modules: ["lib/auth.ts"] },
  // The two sign-in steps, shared by the JSON API and the sign-in page, end in Auth.js's signIn.
  { name: "sign-in steps", modules: ["lib/sign-in/steps.ts"] },
  { name: "admin", modules: ["lib/admin/"] },
  // The passkey ceremonies: they sign in (lib/sign-in) and apply the admin second factor.
  { name: "passkeys", modules: ["lib/passkeys/"] },
  { name: "components", modules: ["components/"] },
  { name: "app", modules: ["app/"] },
];

const root = process.cwd();

type Import = { target: string; line: number; typeOnly: boolean };
type SourceModule = { file: string; imports: Import[]; serverOnly: boolean };

function listSources(folder: string): string[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return listSources(relative);
    return /\.tsx?$/.test(entry.name) ? [relative] : [];
  });
}

/** The project file an import specifier names, or null for a package or a non-TypeScript file. */
function resolveSpecifier(from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith("@/")) base = specifier.slice(2);
  else if (specifier.startsWith(".")) base = path.posix.join(path.posix.dirname(from), specifier);
  else return null;
  const candidates = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`];
  const found = candidates.find(
    (candidate) => /\.tsx?$/.test(candidate) && existsSync(path.join(root, candidate)),
  );
  if (found) return found;
  if (/\.(css|json)$/.test(base)) return null;
  throw new Error(`${from}: cannot resolve "${specifier}"`);
}

/** Every static import, export-from and dynamic import of a file, parsed with the TypeScript compiler. */
function readModule(file: string): SourceModule {
  const text = readFileSync(path.join(root, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const imports: Import[] = [];
  let serverOnly = false;
  const add = (node: ts.Node, specifier: string, typeOnly: boolean) => {
    if (specifier === "server-only") serverOnly = true;
    const target = resolveSpecifier(file, specifier);
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    if (target) imports.push({ target, line, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      // `import { type A, type B }` is erased like `import type`.
      const onlyTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (!clause.name &&
            bindings !== undefined &&
            ts.isNamedImports(bindings) &&
            bindings.elements.length > 0 &&
            bindings.elements.every((element) => element.isTypeOnly)));
      add(node, node.moduleSpecifier.text, onlyTypes);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node, node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node, node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { file, imports, serverOnly };
}

const modules = new Map(
  ["lib", "app", "components"].flatMap(listSources).map((file) => [file, readModule(file)] as const),
);

/** The layer index of a file: its longest matching entry's layer. */
function layerOf(file: string): number {
  let best = { index: -1, length: -1 };
  layers.forEach(({ modules: entries }, index) => {
    for (const entry of entries) {
      const matches = entry.endsWith("/") ? file.startsWith(entry) : file === entry;
      if (matches && entry.length > best.length) best = { index, length: entry.length };
    }
  });
  return best.index;
}

/** The files a module reaches through value imports (types are erased from every bundle). */
function runtimeClosure(file: string, seen = new Set<string>()): Set<string> {
  for (const { target, typeOnly } of modules.get(file)?.imports ?? []) {
    if (typeOnly || seen.has(target)) continue;
    seen.add(target);
    runtimeClosure(target, seen);
  }
  return seen;
}

/** The `server-only` modules a file reaches at run time, as `file → server-only module` chains. */
function serverOnlyReached(file: string): string[] {
  return [...runtimeClosure(file)].filter((target) => modules.get(target)?.serverOnly);
}

const describeImport = (file: string, { target, line }: Import) =>
  `${file}:${line} imports ${target} (${layers[layerOf(target)]?.name} above ${layers[layerOf(file)]?.name})`;

const filesUnder = (prefix: string) => [...modules.keys()].filter((file) => file.startsWith(prefix));

describe("the layering of lib/, app/ and components/", () => {
  it("places every module in a layer", () => {
    expect(modules.size).toBeGreaterThan(100);
    expect([...modules.keys()].filter((file) => layerOf(file) === -1)).toEqual([]);
  });

  it("lists only modules that exist", () => {
    const missing = layers
      .flatMap((layer) => layer.modules)
      .filter((entry) => !existsSync(path.join(root, entry)));
    expect(missing).toEqual([]);
  });

  it("has no module import one from a higher layer", () => {
    const upward = [...modules.values()].flatMap(({ file, imports }) =>
      imports
        .filter(({ target }) => layerOf(target) > layerOf(file))
        .map((entry) => describeImport(file, entry)),
    );
    expect(upward).toEqual([]);
  });

  it("keeps the store below everything that uses it: lib/store imports only the pure modules, lib/env.ts and itself", () => {
    const store = layers.findIndex((layer) => layer.name === "store");
    const outward = filesUnder("lib/store/").flatMap((file) =>
      modules
        .get(file)!
        .imports.filter(({ target }) => target.startsWith("lib/events/") || layerOf(target) >= store)
        .filter(({ target }) => !target.startsWith("lib/store/"))
        .map(({ target, line }) => `${file}:${line} imports ${target}`),
    );
    expect(filesUnder("lib/store/").length).toBeGreaterThan(5);
    expect(outward).toEqual([]);
  });

  it("keeps the refusal catalogue, the API schemas and the config free of server-only code", () => {
    const isomorphic = ["lib/http/refusals.ts", "lib/config.ts", ...filesUnder("lib/api/")];
    const reached = isomorphic.flatMap((file) => [
      ...(modules.get(file)!.serverOnly ? [`${file} is server-only`] : []),
      ...serverOnlyReached(file).map((target) => `${file} reaches ${target}`),
    ]);
    expect(isomorphic.length).toBeGreaterThan(5);
    expect(reached).toEqual([]);
  });

  it("keeps components free of server-only modules", () => {
    const reached = filesUnder("components/").flatMap((file) => [
      ...(modules.get(file)!.serverOnly ? [`${file} is server-only`] : []),
      ...serverOnlyReached(file).map((target) => `${file} reaches ${target}`),
    ]);
    expect(reached).toEqual([]);
  });
});

/** The README's layers list, as it must read for `layers` above. */
function expectedReadmeLayers(): string {
  return layers
    .map(
      ({ name, modules }, index) =>
        `${index + 1}. **${name}** — ${modules.map((entry) => `\`${entry}\``).join(", ")}`,
    )
    .join("\n");
}

// On a mismatch, paste the expected list (shown in the diff) into the README.
it('lists the same layers in the README\'s "How it is built"', () => {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  expect(/<!-- layers:start -->([\s\S]*?)<!-- layers:end -->/.exec(readme)?.[1]?.trim()).toBe(
    expectedReadmeLayers(),
  );
});
