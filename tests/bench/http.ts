/**
 * Part of `npm run bench`: HTTP throughput of refused sends next to a trivial route on one
 * production server (`npm start`), in one run, as a ratio. (First-load JavaScript:
 * tests/bench/first-load-js.ts.) Starts its own instance on loopback (Redis over TCP when 127.0.0.1:6379 answers),
 * on `BENCH_PORT` when set.
 *
 * - trivial: `GET /api/otp/send`, the product's 405 for a method the route does not take: the same
 *   server, router and error envelope, no body, no store. (`GET /api/health` probes the store.)
 * - framework floor for the body: `PUT /api/otp/send` with the forged send's body and headers, also
 *   a 405: what Next.js spends on a request that carries a JSON body (it makes the body's web
 *   stream) before any code of ours runs.
 * - refused by the honeypot: the first refusal that reads the body, so what any such refusal pays
 *   (the body read through Next.js's web stream, the request context, the envelope, the throttle
 *   event) before the policy's own checks.
 * - refused, forged CAPTCHA: what a cheap pumping bot posts; refused before any store access.
 * - the same from a ring: a fresh address and a fresh number on every request, so nothing the
 *   instance remembers about a sender or a number (its recent parses) helps.
 * - refused, solved CAPTCHA, address budget spent: a bot that pays the proof of work from an
 *   address the limits have refused; refused from the instance's memory of spent senders (one
 *   store decision every 10 s), before its body is read. Each solution is accepted once, so they
 *   are solved beforehand, at a cheap price (below): at the default price each costs the server
 *   one key derivation more (tests/bench/captcha-challenge.bench.ts).
 *
 * The kinds take turns, many short rounds, so that other load on the machine falls on all of them:
 * on this project's shared 2-core machine the same kind's rate moves by a fifth from one turn to
 * the next, so each ratio is given pooled over the run and as the median of the rounds' ratios.
 * The server's own CPU time per request (Linux: /proc) is printed too.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { solveAltcha } from "../support/altcha";
import { startInstance } from "../support/instance";

const ROUNDS = 8;
const SECONDS_PER_TURN = 2;
const CONNECTIONS = 16;
const SPENT_ADDRESS = "2001:db8:be::1";

const KINDS = [
  "trivial",
  "bodyFloor",
  "refusedHoneypot",
  "refusedForged",
  "refusedForgedRing",
  "refusedSolved",
] as const;
type Kind = (typeof KINDS)[number];
/** The kinds that run for a fixed time; the solved turn runs for as many requests as it has solutions. */
const TIMED_KINDS = KINDS.filter((kind) => kind !== "refusedSolved");

async function main() {
  const redis = spawnSync("redis-cli", ["ping"], { encoding: "utf8" }).stdout?.trim() === "PONG";
  const { url, pid, stop } = await startInstance(
    {
      ...(redis ? { REDIS_URL: "redis://127.0.0.1:6379", STORE_KEY_PREFIX: `bench:${Date.now()}:` } : {}),
      // Cheap proof of work and plenty of challenges, so that thousands can be solved beforehand.
      ALTCHA_COST: "10",
      ALTCHA_MAX_COUNTER: "20",
      RATE_LIMITS:
        "captcha.challenge.ip=100000/1m,captcha.challenge.subnet=100000/1m,captcha.challenge.global=100000/1m",
    },
    { port: Number(process.env.BENCH_PORT) || undefined },
  );
  try {
    const forgedBody = JSON.stringify({ phone: "+6581234567", captcha: "forged" });
    const post = { method: "POST" as const, headers: { "content-type": "application/json" } };
    const forgedHeaders = { ...post.headers, "x-forwarded-for": "2001:db8:bd::1" };
    let ringMember = 0;
    const turns: Record<Kind, Partial<autocannon.Options>> = {
      trivial: { method: "GET" },
      bodyFloor: { method: "PUT", headers: forgedHeaders, body: forgedBody },
      refusedHoneypot: {
        ...post,
        headers: forgedHeaders,
        body: JSON.stringify({ phone: "+6581234567", captcha: "forged", website: "https://spam.example" }),
      },
      refusedForged: { ...post, headers: forgedHeaders, body: forgedBody },
      refusedForgedRing: {
        ...post,
        requests: [
          {
            setupRequest: (request) => {
              ringMember += 1;
              return {
                ...request,
                headers: {
                  ...post.headers,
                  "x-forwarded-for": `2001:db8:${(ringMember % 0xffff).toString(16)}::1`,
                },
                body: JSON.stringify({
                  phone: `+658${1_000_000 + (ringMember % 8_999_999)}`,
                  captcha: "forged",
                }),
              };
            },
          },
        ],
      },
      refusedSolved: { ...post, headers: { ...post.headers, "x-forwarded-for": SPENT_ADDRESS } },
    };
    const cpu = Object.fromEntries(KINDS.map((kind) => [kind, { ms: 0, requests: 0 }])) as Record<
      Kind,
      { ms: number; requests: number }
    >;
    const run = async (options: Partial<autocannon.Options>, kind?: Kind) => {
      const before = serverCpuMs(pid);
      const result = await autocannon({ url: `${url}/api/otp/send`, connections: CONNECTIONS, ...options });
      const after = serverCpuMs(pid);
      if (kind && before !== null && after !== null) {
        cpu[kind].ms += after - before;
        cpu[kind].requests += result.requests.total;
      }
      return result;
    };

    // Warm-up, then the address's budget is spent: five sends, and the refusal the instance remembers.
    for (const kind of TIMED_KINDS) await run({ ...turns[kind], duration: 2 });
    const captchas = await solvedCaptchas(url, 30);
    for (let send = 0; send < 6; send += 1) {
      await fetch(`${url}/api/otp/send`, {
        ...post,
        headers: { ...post.headers, "x-forwarded-for": SPENT_ADDRESS },
        body: JSON.stringify({ phone: `+658124${String(5000 + send)}`, captcha: captchas.pop() }),
      });
    }
    const totals = Object.fromEntries(KINDS.map((kind) => [kind, [] as autocannon.Result[]])) as Record<
      Kind,
      autocannon.Result[]
    >;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const kind of TIMED_KINDS)
        totals[kind].push(await run({ ...turns[kind], duration: SECONDS_PER_TURN }, kind));
      // As many as the forged turn managed, one solved CAPTCHA each.
      const amount = Math.round(totals.refusedForged.at(-1)!.requests.total);
      // The bodies are made beforehand: the load generator shares the two cores with the server,
      // and making a body of a solved CAPTCHA for every request slowed it enough to leave the server
      // idle part of the turn.
      const bodies = (await solvedCaptchas(url, amount)).map((captcha) =>
        JSON.stringify({ phone: "+6581234567", captcha }),
      );
      totals.refusedSolved.push(
        await run(
          {
            ...turns.refusedSolved,
            amount,
            requests: [{ setupRequest: (request) => ({ ...request, body: bodies.pop() }) }],
          },
          "refusedSolved",
        ),
      );
    }

    const summary = (kind: Kind, expectedStatus: number) => {
      const results = totals[kind];
      const requests = results.reduce((sum, result) => sum + result.requests.total, 0);
      const seconds = results.reduce((sum, result) => sum + result.duration, 0);
      const statuses: Record<string, number> = {};
      for (const result of results)
        for (const [status, { count = 0 }] of Object.entries(result.statusCodeStats ?? {}))
          statuses[status] = (statuses[status] ?? 0) + count;
      if (Object.keys(statuses).some((status) => Number(status) !== expectedStatus))
        console.warn(`[bench] expected only ${expectedStatus}, got`, statuses);
      return {
        requestsPerSecond: Math.round(requests / seconds),
        latencyMs: {
          p50: median(results.map((result) => result.latency.p50)),
          p99: median(results.map((result) => result.latency.p99)),
        },
        serverCpuMsPerRequest: cpu[kind].requests
          ? Number((cpu[kind].ms / cpu[kind].requests).toFixed(3))
          : null,
        requests,
        statuses,
        errors: results.reduce((sum, result) => sum + result.errors + result.timeouts, 0),
      };
    };
    const expectedStatus: Record<Kind, number> = {
      trivial: 405,
      bodyFloor: 405,
      refusedHoneypot: 403,
      refusedForged: 403,
      refusedForgedRing: 403,
      refusedSolved: 429,
    };
    const summaries = Object.fromEntries(
      KINDS.map((kind) => [kind, summary(kind, expectedStatus[kind])]),
    ) as Record<Kind, ReturnType<typeof summary>>;
    const { trivial, refusedForged, refusedForgedRing, refusedSolved, bodyFloor, refusedHoneypot } =
      summaries;
    const compared = KINDS.filter((kind) => kind !== "trivial");
    const roundRatios = Object.fromEntries(
      compared.map((kind) => [
        kind,
        totals[kind].map((result, round) => Number((rate(result) / rate(totals.trivial[round]!)).toFixed(2))),
      ]),
    ) as Record<Kind, number[]>;
    const report = {
      at: new Date().toISOString(),
      store: redis ? "redis" : "memory",
      machine: `${process.platform} ${process.arch}, ${cpus().length} cores, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`,
      load: `${ROUNDS} rounds of ${SECONDS_PER_TURN} s per kind, ${CONNECTIONS} connections, load generator on the same machine`,
      ...summaries,
      /** The one to watch: what a cheap pumping bot costs next to the cheapest answer the server gives. */
      refusedForgedToTrivialRatio: ratio(refusedForged, trivial),
      refusedForgedRingToTrivialRatio: ratio(refusedForgedRing, trivial),
      refusedSolvedToTrivialRatio: ratio(refusedSolved, trivial),
      /** How far a request that carries the body is from the trivial route before our code runs. */
      bodyFloorToTrivialRatio: ratio(bodyFloor, trivial),
      /** A refusal that reads the body and checks nothing else: the floor of every such refusal. */
      refusedHoneypotToTrivialRatio: ratio(refusedHoneypot, trivial),
      /** What the policy's checks before the forged CAPTCHA's refusal cost beyond that floor. */
      refusedForgedToHoneypotRatio: ratio(refusedForged, refusedHoneypot),
      /** Each round's ratio to the trivial turn just before it, and their median. */
      roundRatios,
      medianRoundRatio: Object.fromEntries(compared.map((kind) => [kind, median(roundRatios[kind])])),
      /** The same comparison in server CPU per request (trivial ÷ refused). */
      cpuRatio: Object.fromEntries(compared.map((kind) => [kind, cpuRatio(trivial, summaries[kind])])),
    };
    console.log(JSON.stringify(report, null, 2));
    mkdirSync("bench-results", { recursive: true });
    writeFileSync(path.join("bench-results", "http.json"), JSON.stringify(report, null, 2));
    console.log("wrote bench-results/http.json");
  } finally {
    stop();
  }
}

const cpuRatio = (
  trivial: { serverCpuMsPerRequest: number | null },
  refused: { serverCpuMsPerRequest: number | null },
) =>
  trivial.serverCpuMsPerRequest && refused.serverCpuMsPerRequest
    ? Number((trivial.serverCpuMsPerRequest / refused.serverCpuMsPerRequest).toFixed(2))
    : null;

const CLOCK_TICKS_PER_SECOND =
  Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;

/** CPU time (user + system) the process has used so far, from /proc; null where there is none. */
function serverCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

const rate = (result: autocannon.Result) => result.requests.total / result.duration;

const ratio = (a: { requestsPerSecond: number }, b: { requestsPerSecond: number }) =>
  Number((a.requestsPerSecond / b.requestsPerSecond).toFixed(2));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** `count` challenges from the server's own endpoint, solved as the widget solves them. */
async function solvedCaptchas(url: string, count: number): Promise<string[]> {
  const solved: string[] = [];
  const worker = async () => {
    while (solved.length < count) {
      const response = await fetch(`${url}/api/captcha/challenge`, {
        headers: { "x-forwarded-for": "2001:db8:bc::1" },
      });
      if (!response.ok) throw new Error(`challenge: ${response.status} ${await response.text()}`);
      solved.push(await solveAltcha(await response.json()));
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return solved;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
