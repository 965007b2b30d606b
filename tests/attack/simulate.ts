/**
 * `npm run attack`: SMS-pumping and brute-force scenarios against a running instance, with
 * legitimate users arriving throughout. Prints a table, writes JSON, and exits non-zero when a
 * scenario exceeds its budget.
 *
 *   npm run attack                        starts its own instance on loopback (needs `npm run build`)
 *   npm run attack -- --target http://localhost:3000
 *   npm run attack -- --scenario pump-prefix,brute-force
 *   npm run attack:ring                   the ring scenarios (tests/attack/ring.ts) only; the same
 *                                         as --scenario ring or ATTACK_SCENARIOS=ring
 *
 * `--scenario` (or ATTACK_SCENARIOS) takes scenario names, `ring` and `all`. Our own instance is
 * started afresh for each ring scenario, with the settings they need (`ringInstanceEnv`); a
 * --target must have those settings itself, and carries state from one scenario to the next.
 *
 * A target that is not loopback needs --allow-remote, and must be a deployment you own. The
 * target must run the 8x8 sandbox with SANDBOX_INBOX=all (that is how SMS are counted) and trust
 * loopback as its proxy (CLIENT_IP_TRUSTED_RANGES=127.0.0.0/8,::1), because the simulator plays
 * the proxy that appends each client's address to X-Forwarded-For. Every loop is bounded in count
 * and time. Its own instance calls a standalone emulator as 8x8, because the simulator signs in an
 * admin and a production build has no admins next to its own sandbox; a --target started with
 * `npm run dev` has both. A --target must also let its admin in without a passkey
 * (ADMIN_REQUIRE_PASSKEY=false), as `npm run dev` does by default.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startInstance } from "../support/instance";
import {
  clientIp,
  cookieHeader,
  errorCode,
  http,
  inboxCount,
  latestCode,
  mobileNumberIn,
  random16,
  randomNumber,
  refusalsByRule,
  refusalsSince,
  send,
  signInAdmin,
  solvedCaptcha,
  pointAt,
} from "./client";
import { ringInstanceEnv, ringScenarios, type RingScenario, type TargetRow } from "./ring";

type Options = { target: string | null; allowRemote: boolean; scenarios: string[] | null; json: string };

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const index = argv.indexOf(name);
    return index === -1 ? undefined : argv[index + 1];
  };
  const scenarios = value("--scenario") ?? process.env.ATTACK_SCENARIOS;
  return {
    target: value("--target") ?? null,
    allowRemote: argv.includes("--allow-remote"),
    scenarios: scenarios ? scenarios.split(",").map((name) => name.trim()) : null,
    json: value("--json") ?? "bench-results/attack.json",
  };
}

/**
 * The ring scenarios (tests/attack/ring.ts) run by default once they pass; until then only with
 * `--scenario ring`. Enabled when the fraud defenses land.
 */
const RING_SCENARIOS_BY_DEFAULT = true;

const SCENARIO_SECONDS = 180;
const CONCURRENCY = 8;
const ADMIN = "+6589990009";

// ---- Traffic helpers ---------------------------------------------------------------------------

const spoofed = () =>
  `${1 + Math.floor(Math.random() * 222)}.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.9`;
const sgNumber = (prefix: string) => randomNumber(prefix, 11);

/** Runs `task` `count` times, a few at a time, until done or the scenario's time is up. */
async function repeat(count: number, task: (index: number) => Promise<void>): Promise<number> {
  const deadline = Date.now() + SCENARIO_SECONDS * 1000;
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count && Date.now() < deadline) {
        const index = next++;
        await task(index);
        done += 1;
      }
    }),
  );
  return done;
}

// ---- Legitimate users ----------------------------------------------------------------------------

type Legit = { attempts: number; sent: number; succeeded: number };

/** A real person: own address, a number in another country, the full flow. */
async function legitimateSignIn(stats: Legit): Promise<void> {
  stats.attempts += 1;
  // Numbers spread as real ones are: many prefixes (area and exchange codes), not one block.
  const digit = (from: number) => String(from + Math.floor(Math.random() * (10 - from)));
  const homes: [string, () => string][] = [
    ["US", () => randomNumber(`+1415${digit(2)}${digit(2)}`, 12)],
    ["GB", () => randomNumber("+4474", 13)],
    ["SG", () => randomNumber(`+659${Math.floor(Math.random() * 9)}`, 11)],
  ];
  const [country, generate] = homes[stats.attempts % homes.length]!;
  const phone = mobileNumberIn(country, generate);
  const ip = clientIp();
  let sent = await send(phone, ip);
  // As the sign-in form does: a refused proof of work (say, one bought before attack mode began)
  // is solved afresh and sent once more.
  if (sent.status === 403 && errorCode(sent) === "captcha_failed") {
    sent = await send(phone, ip);
  }
  if (sent.status !== 202) return;
  stats.sent += 1;
  const cookie = cookieHeader(sent.setCookie);
  const code = await latestCode(phone);
  const verified = await http("POST", "/api/otp/verify", { forwardedFor: ip, cookie, body: { code } });
  if (verified.status === 200) stats.succeeded += 1;
}

// ---- Scenarios ---------------------------------------------------------------------------------

type Outcome = { attempts: number; sms: number; extra?: Record<string, number | string> };
type Scenario = {
  name: string;
  description: string;
  /** Passes when the outcome is within budget. */
  budget: (outcome: Outcome) => boolean;
  budgetText: string;
  run: () => Promise<Omit<Outcome, "sms">>;
};

const scenarios: Scenario[] = [
  {
    name: "pump-prefix",
    description:
      "(a) many numbers under one prefix, rotating spoofed X-Forwarded-For behind one real client, solving the PoW",
    budgetText: "SMS ≤ 1% of attempts",
    budget: ({ attempts, sms }) => sms <= attempts * 0.01,
    async run() {
      const real = clientIp();
      const attempts = await repeat(600, async () => {
        await send(sgNumber("+659123"), `${spoofed()}, ${spoofed()}, ${real}`);
      });
      return { attempts };
    },
  },
  {
    name: "one-number-many-addresses",
    description: "(b) one number from many addresses",
    budgetText: "SMS ≤ 3",
    budget: ({ sms }) => sms <= 3,
    async run() {
      const victim = sgNumber("+659234");
      return { attempts: await repeat(200, async () => void (await send(victim, clientIp()))) };
    },
  },
  {
    name: "many-numbers-one-address",
    description: "(c) many numbers from one address",
    budgetText: "SMS ≤ 5",
    budget: ({ sms }) => sms <= 5,
    async run() {
      const ip = clientIp();
      return { attempts: await repeat(200, async () => void (await send(sgNumber("+659345"), ip))) };
    },
  },
  {
    name: "ipv6-rotation",
    description: "(d) every request from another address inside one IPv6 /64",
    budgetText: "SMS ≤ 5",
    budget: ({ sms }) => sms <= 5,
    async run() {
      const network = `2001:db8:${random16()}:${random16()}`;
      return {
        attempts: await repeat(200, async () => {
          await send(
            sgNumber("+659456"),
            `${network}:${random16()}:${random16()}:${random16()}:${random16()}`,
          );
        }),
      };
    },
  },
  {
    name: "spelling-variants",
    description: "(e) one number in many spellings",
    budgetText: "SMS ≤ 1",
    budget: ({ sms }) => sms <= 1,
    async run() {
      const e164 = sgNumber("+659567");
      const national = e164.slice(3);
      const variants: [string, string?][] = [
        [e164],
        [`+65 ${national.slice(0, 4)} ${national.slice(4)}`],
        [`0065-${national}`],
        [`(${national.slice(0, 4)}) ${national.slice(4)}`, "SG"],
        [national, "SG"],
        [`+65.${national}`],
      ];
      return {
        attempts: await repeat(
          60,
          async (index) =>
            void (await send(
              variants[index % variants.length]![0],
              clientIp(),
              undefined,
              variants[index % variants.length]![1],
            )),
        ),
      };
    },
  },
  {
    name: "captcha-replay",
    description: "(f) one solved CAPTCHA replayed; then bots that solve every one",
    budgetText: "replayed: SMS ≤ 1",
    budget: ({ sms }) => sms <= 1,
    async run() {
      const ip = clientIp();
      const captcha = await solvedCaptcha(ip);
      const attempts = await repeat(
        100,
        async () => void (await send(sgNumber("+659678"), clientIp(), captcha)),
      );
      const { json } = await http("GET", "/api/captcha/challenge", { forwardedFor: clientIp() });
      return { attempts, extra: { "challenge cost now": (json.parameters as { cost: number }).cost } };
    },
  },
  {
    name: "brute-force",
    description: "(g) guessing one number's code across resends",
    budgetText: "no sign-in; ≤ 10 guesses checked by 8x8 an hour",
    budget: ({ extra }) => extra?.["signed in"] === 0 && Number(extra?.["guesses checked"]) <= 10,
    async run() {
      const victim = sgNumber("+659789");
      let checked = 0;
      let signedIn = 0;
      let attempts = 0;
      const deadline = Date.now() + SCENARIO_SECONDS * 1000;
      for (let round = 0; round < 20 && Date.now() < deadline; round += 1) {
        const ip = clientIp();
        const sent = await send(victim, ip);
        const cookie = cookieHeader(sent.setCookie);
        for (let guess = 0; guess < 10; guess += 1) {
          attempts += 1;
          const code = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");
          const response = await http("POST", "/api/otp/verify", {
            forwardedFor: ip,
            cookie,
            body: { code },
          });
          if (response.status === 200) signedIn += 1;
          if (response.status === 400 && (response.json.error as { code: string }).code === "code_invalid")
            checked += 1;
        }
      }
      return { attempts, extra: { "guesses checked": checked, "signed in": signedIn } };
    },
  },
];

// ---- Running -------------------------------------------------------------------------------------

/** Which scenarios to run: names, `ring` for every ring scenario, `all`; by default those enabled. */
function selectScenarios(names: string[] | null): { classic: Scenario[]; ring: RingScenario[] } {
  if (!names) return { classic: scenarios, ring: RING_SCENARIOS_BY_DEFAULT ? ringScenarios : [] };
  const known = [...scenarios, ...ringScenarios].map((scenario) => scenario.name);
  const unknown = names.filter((name) => !["all", "ring", ...known].includes(name));
  if (unknown.length > 0) {
    throw new Error(`Unknown scenario ${unknown.join(", ")}: choose from all, ring, ${known.join(", ")}.`);
  }
  const wanted = (name: string, group: "classic" | "ring") =>
    names.includes("all") || names.includes(name) || (group === "ring" && names.includes("ring"));
  return {
    classic: scenarios.filter((scenario) => wanted(scenario.name, "classic")),
    ring: ringScenarios.filter((scenario) => wanted(scenario.name, "ring")),
  };
}

/**
 * Runs `body` against `--target`, or against an instance of our own with `env` (fresh for each
 * call, so that no scenario group inherits another's counters or attack mode).
 */
async function onInstance(options: Options, env: Record<string, string>, body: () => Promise<void>) {
  if (options.target) return body();
  const instance = await startInstance(
    {
      ADMIN_PHONE_NUMBERS: ADMIN,
      // The simulator reads refusal counts as an admin signed in by code alone; a browser-less
      // script has no passkey to confirm with.
      ADMIN_REQUIRE_PASSKEY: "false",
      // Cheap proof of work so that bots solving it can be simulated quickly on one machine.
      ALTCHA_COST: "50",
      ALTCHA_MAX_COUNTER: "50",
      ...env,
    },
    { standaloneSandbox: true },
  );
  try {
    pointAt({ url: instance.url, inboxUrl: instance.sandboxUrl });
    await signInAdmin(ADMIN);
    await body();
  } finally {
    instance.stop();
  }
}

type ClassicResult = Awaited<ReturnType<typeof runScenario>>;

async function runScenario(scenario: Scenario) {
  const smsBefore = await inboxCount();
  const rulesBefore = await refusalsByRule();
  const legit: Legit = { attempts: 0, sent: 0, succeeded: 0 };
  const started = Date.now();
  // (h) legitimate users keep arriving while the attack runs.
  let attacking = true;
  const legitimate = (async () => {
    while (attacking && Date.now() - started < SCENARIO_SECONDS * 1000) {
      await legitimateSignIn(legit);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  const outcome = await scenario.run();
  attacking = false;
  await legitimate;
  const seconds = (Date.now() - started) / 1000;
  // What the attack got through: every SMS in the period but the legitimate users' own.
  const sms = Math.max(0, (await inboxCount()) - smsBefore - legit.sent);
  const result = {
    scenario: scenario.name,
    description: scenario.description,
    attempts: outcome.attempts,
    sms,
    refusals: refusalsSince(rulesBefore, await refusalsByRule()),
    legitimate: {
      attempts: legit.attempts,
      succeeded: legit.succeeded,
      rate: legit.attempts ? legit.succeeded / legit.attempts : 1,
    },
    seconds,
    budget: scenario.budgetText,
    ...(outcome.extra ? { extra: outcome.extra } : {}),
  };
  return { ...result, withinBudget: scenario.budget({ ...outcome, sms }) && result.legitimate.rate >= 0.99 };
}

type RingResult = Awaited<ReturnType<typeof runRingScenario>>;

async function runRingScenario(scenario: RingScenario) {
  const rulesBefore = await refusalsByRule();
  const started = Date.now();
  const { rows, extra } = await scenario.run();
  return {
    scenario: scenario.name,
    description: scenario.description,
    rows,
    refusals: refusalsSince(rulesBefore, await refusalsByRule()),
    seconds: (Date.now() - started) / 1000,
    extra,
    withinBudget: rows.every((row) => row.ok !== false),
  };
}

const formatRefusals = (refusals: Record<string, number>) =>
  Object.entries(refusals)
    .map(([rule, n]) => `${rule} ${n}`)
    .join(", ") || "none";

function printClassic(results: ClassicResult[]) {
  console.log("\nscenario                     attempts  SMS  legit ok   seconds  budget");
  for (const r of results) {
    console.log(
      `${r.scenario.padEnd(28)} ${String(r.attempts).padStart(8)} ${String(r.sms).padStart(4)}  ${`${r.legitimate.succeeded}/${r.legitimate.attempts}`.padStart(8)} ${r.seconds.toFixed(1).padStart(9)}  ${r.withinBudget ? "ok" : "EXCEEDED"} (${r.budget}; legitimate ≥ 99%)`,
    );
    console.log(`${"".padEnd(29)}refusals: ${formatRefusals(r.refusals)}`);
    if ("extra" in r && r.extra)
      console.log(
        `${"".padEnd(29)}${Object.entries(r.extra)
          .map(([k, v]) => `${k}: ${v}`)
          .join(", ")}`,
      );
  }
}

function printRing(results: RingResult[]) {
  const verdict = (row: TargetRow) => (row.ok === null ? "" : row.ok ? "ok" : "EXCEEDED");
  for (const r of results) {
    console.log(`\n${r.scenario}: ${r.description} (${r.seconds.toFixed(1)} s)`);
    console.log(`  ${"target".padEnd(56)} ${"measured".padEnd(36)} ${"budget".padEnd(20)}`);
    for (const row of r.rows) {
      console.log(
        `  ${row.target.padEnd(56)} ${row.measured.padEnd(36)} ${row.budget.padEnd(20)} ${verdict(row)}`,
      );
    }
    console.log(`  refusals: ${formatRefusals(r.refusals)}`);
    for (const [name, value] of Object.entries(r.extra)) console.log(`  ${name}: ${value}`);
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const selected = selectScenarios(options.scenarios);
  if (options.target) {
    const host = new URL(options.target).hostname;
    if (!["localhost", "127.0.0.1", "[::1]"].includes(host) && !options.allowRemote) {
      throw new Error(`${host} is not loopback: pass --allow-remote, and only for a deployment you own.`);
    }
    // A target must itself be configured as our own instances are (ringInstanceEnv for ring scenarios).
    pointAt({ url: options.target, inboxUrl: options.target });
    await signInAdmin(ADMIN);
  }

  const classic: ClassicResult[] = [];
  const ring: RingResult[] = [];
  // On instances of our own, each ring scenario runs in a process of its own, alongside the others:
  // they mostly wait (warm-up, codes typed, returning users), so together they take as long as one.
  // The client (./client.ts) points at one instance per process, hence processes, not promises.
  const apart = !options.target && selected.ring.length + (selected.classic.length > 0 ? 1 : 0) > 1;
  const children = apart ? selected.ring.map((scenario) => runApart(scenario.name)) : [];
  if (selected.classic.length > 0) {
    await onInstance(options, {}, async () => {
      for (const scenario of selected.classic) classic.push(await runScenario(scenario));
    });
  }
  if (!apart) {
    for (const scenario of selected.ring) {
      await onInstance(options, ringInstanceEnv, async () => void ring.push(await runRingScenario(scenario)));
    }
  }
  const apartResults = await Promise.all(children);

  if (classic.length > 0) printClassic(classic);
  if (ring.length > 0) printRing(ring);
  for (const child of apartResults) process.stdout.write(child.output);
  const results = [...classic, ...ring, ...apartResults.flatMap((child) => child.results)];
  mkdirSync(path.dirname(options.json), { recursive: true });
  writeFileSync(
    options.json,
    JSON.stringify(
      { target: options.target ?? "own instances", at: new Date().toISOString(), results },
      null,
      2,
    ),
  );
  console.log(`\nwrote ${options.json}`);
  if (apartResults.some((child) => child.failed)) process.exitCode = 2;
  else if (results.some((r) => !r.withinBudget)) process.exitCode = 1;
}

/** `scenario` in a child process of this script; what it printed and the results it wrote. */
async function runApart(
  scenario: string,
): Promise<{ output: string; results: { withinBudget: boolean }[]; failed: boolean }> {
  const json = path.join(mkdtempSync(path.join(tmpdir(), "otp-shield-attack-")), "result.json");
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1]!, "--scenario", scenario, "--json", json],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  // Its own "wrote …" line names a temporary file: the parent writes the one that counts.
  output = output.replace(/\n*wrote .*\n?$/, "\n");
  if (code !== 0 && code !== 1)
    return { output: `${output}${scenario}: exited with ${code}\n`, results: [], failed: true };
  return {
    output,
    results: (JSON.parse(readFileSync(json, "utf8")) as { results: { withinBudget: boolean }[] }).results,
    failed: false,
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
