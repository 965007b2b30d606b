/**
 * Part of `npm run bench`: the first-load JavaScript of the home and sign-in pages against the
 * floor every Next.js page pays — a blank page of the same Next.js and React, built here in
 * bench-results/blank-next-app (a two-file app sharing this project's node_modules). Each script
 * a first visit loads is read from the build output and gzipped at level 9, then summed.
 *
 * Budgets (issue #15): the sign-in page within 40 KB gzip of the floor, the home page within 10 KB.
 * Needs `npm run build` first; exits 1 when a page is over its budget.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { startInstance } from "../support/instance";

const BUDGET_KB = { "/": 10, "/sign-in": 40 } as const;
const root = process.cwd();
const blankApp = path.join(root, "bench-results", "blank-next-app");

type Weight = { scripts: number; gzipKb: number };

/** The scripts an HTML page loads, gzipped (-9) and summed, read from `buildDir`. */
function weigh(html: string, buildDir: string): Weight {
  const sources = [
    ...new Set([...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)].map((match) => match[1]!)),
  ];
  let gzipped = 0;
  for (const source of sources) {
    const file = path.join(buildDir, source.replace(/^\/_next\//, ""));
    if (!existsSync(file)) throw new Error(`${source}: not in ${buildDir}`);
    gzipped += gzipSync(readFileSync(file), { level: 9 }).length;
  }
  return { scripts: sources.length, gzipKb: Math.round((gzipped / 1024) * 10) / 10 };
}

/** A blank App Router page (static, so its HTML is in the build output), built with this project's Next.js. */
function blankFloor(): Weight {
  rmSync(blankApp, { recursive: true, force: true });
  mkdirSync(path.join(blankApp, "app"), { recursive: true });
  symlinkSync(path.join(root, "node_modules"), path.join(blankApp, "node_modules"));
  writeFileSync(path.join(blankApp, "package.json"), JSON.stringify({ private: true }));
  // Turbopack reads node_modules through the symlink only from a root that contains both.
  writeFileSync(
    path.join(blankApp, "next.config.js"),
    `module.exports = { turbopack: { root: ${JSON.stringify(root)} } };\n`,
  );
  writeFileSync(
    path.join(blankApp, "app", "layout.tsx"),
    'export default function Layout({ children }: { children: React.ReactNode }) {\n  return <html lang="en"><body>{children}</body></html>;\n}\n',
  );
  writeFileSync(
    path.join(blankApp, "app", "page.tsx"),
    "export default function Page() {\n  return <p>Blank</p>;\n}\n",
  );
  const build = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: blankApp,
    encoding: "utf8",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (build.status !== 0) throw new Error(`blank app build failed:\n${build.stdout}\n${build.stderr}`);
  const html = readFileSync(path.join(blankApp, ".next/server/app/index.html"), "utf8");
  const floor = weigh(html, path.join(blankApp, ".next"));
  rmSync(blankApp, { recursive: true, force: true });
  return floor;
}

async function main() {
  const floor = blankFloor();
  const { url, stop } = await startInstance({}, { port: Number(process.env.BENCH_PORT) || undefined });
  try {
    const pages: Record<string, Weight & { overFloorKb: number; budgetKb: number; withinBudget: boolean }> =
      {};
    for (const [page, budgetKb] of Object.entries(BUDGET_KB)) {
      const html = await (
        await fetch(`${url}${page}`, { headers: { "x-forwarded-for": "2001:db8:bf::1" } })
      ).text();
      const weight = weigh(html, path.join(root, ".next"));
      const overFloorKb = Math.round((weight.gzipKb - floor.gzipKb) * 10) / 10;
      pages[page] = { ...weight, overFloorKb, budgetKb, withinBudget: overFloorKb <= budgetKb };
    }
    const report = { at: new Date().toISOString(), blankFloor: floor, pages };
    console.log(JSON.stringify(report, null, 2));
    writeFileSync(path.join("bench-results", "first-load-js.json"), JSON.stringify(report, null, 2));
    console.log("wrote bench-results/first-load-js.json");
    if (Object.values(pages).some((page) => !page.withinBudget)) process.exitCode = 1;
  } finally {
    stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
