/**
 * Part of `npm run bench`: HTTP throughput and latency of refused sends next to a trivial route on
 * the same server, in one run, as a ratio; and the first-load JavaScript of the sign-in page.
 * Starts its own production instance on loopback (Redis over TCP when 127.0.0.1:6379 answers).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { startInstance } from "../support/instance";

const DURATION_SECONDS = 8;
const CONNECTIONS = 16;

async function main() {
  const redis = spawnSync("redis-cli", ["ping"], { encoding: "utf8" }).stdout?.trim() === "PONG";
  const { url, stop } = await startInstance(
    redis ? { REDIS_URL: "redis://127.0.0.1:6379", STORE_KEY_PREFIX: `bench:${Date.now()}:` } : {},
  );
  try {
    const run = (title: string, route: string, options: Partial<autocannon.Options>) =>
      autocannon({
        url: `${url}${route}`,
        duration: DURATION_SECONDS,
        connections: CONNECTIONS,
        title,
        ...options,
      });

    // A trivial route: the 405 answer of GET /api/otp/send (no store, no parsing).
    const trivial = await run("trivial", "/api/otp/send", { method: "GET" });
    // Refused sends: a bot posting forged CAPTCHAs from one address.
    const refused = await run("refused sends", "/api/otp/send", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "2001:db8:be::1" },
      body: JSON.stringify({ phone: "+6581234567", captcha: "forged" }),
    });

    const summary = (result: autocannon.Result) => ({
      requestsPerSecond: Math.round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99 },
      non2xx: result.non2xx,
      errors: result.errors,
    });
    const firstLoad = await firstLoadJavaScript(`${url}/sign-in`);
    const report = {
      at: new Date().toISOString(),
      store: redis ? "redis" : "memory",
      machine: `${process.platform} ${process.arch}, ${(await import("node:os")).cpus().length} cores, Node ${process.version}`,
      trivial: summary(trivial),
      refusedSends: summary(refused),
      refusedToTrivialRatio: Number((refused.requests.average / trivial.requests.average).toFixed(2)),
      signInFirstLoadJs: firstLoad,
    };
    console.log(JSON.stringify(report, null, 2));
    mkdirSync("bench-results", { recursive: true });
    writeFileSync(path.join("bench-results", "http.json"), JSON.stringify(report, null, 2));
    console.log("wrote bench-results/http.json");
  } finally {
    stop();
  }
}

/** The scripts a first visit to `pageUrl` loads, summed raw and gzipped, read from the build output. */
async function firstLoadJavaScript(pageUrl: string) {
  const html = await (await fetch(pageUrl, { headers: { "x-forwarded-for": "2001:db8:bf::1" } })).text();
  const sources = [
    ...new Set([...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)].map((match) => match[1]!)),
  ];
  let raw = 0;
  let gzipped = 0;
  for (const source of sources) {
    const file = path.join(".next", source.replace(/^\/_next\//, ""));
    if (!existsSync(file)) continue;
    const content = readFileSync(file);
    raw += content.length;
    gzipped += gzipSync(content).length;
  }
  return {
    scripts: sources.length,
    kilobytes: Math.round(raw / 1024),
    gzippedKilobytes: Math.round(gzipped / 1024),
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
