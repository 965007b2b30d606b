/**
 * `npm run attack`: SMS-pumping and brute-force scenarios against a running instance, with
 * legitimate users arriving throughout. Prints a table, writes JSON, and exits non-zero when a
 * scenario exceeds its budget.
 *
 *   npm run attack                        starts its own instance on loopback (needs `npm run build`)
 *   npm run attack -- --target http://localhost:3000
 *   npm run attack -- --scenario pump-prefix,brute-force
 *
 * A target that is not loopback needs --allow-remote, and must be a deployment you own. The
 * target must run the 8x8 sandbox with SANDBOX_INBOX=all (that is how SMS are counted) and trust
 * loopback as its proxy (CLIENT_IP_TRUSTED_RANGES=127.0.0.0/8,::1), because the simulator plays
 * the proxy that appends each client's address to X-Forwarded-For. Every loop is bounded in count
 * and time. Its own instance calls a standalone emulator as 8x8, because the simulator signs in an
 * admin and a production build has no admins next to its own sandbox; a --target started with
 * `npm run dev` has both.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { solveChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import { startInstance } from "../support/instance";

type Options = { target: string | null; allowRemote: boolean; scenarios: string[] | null; json: string };

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const index = argv.indexOf(name);
    return index === -1 ? undefined : argv[index + 1];
  };
  return {
    target: value("--target") ?? null,
    allowRemote: argv.includes("--allow-remote"),
    scenarios: value("--scenario")?.split(",") ?? null,
    json: value("--json") ?? "bench-results/attack.json",
  };
}

const SCENARIO_SECONDS = 180;
const CONCURRENCY = 8;
const ADMIN = "+6589990009";

// ---- HTTP helpers ------------------------------------------------------------------------------

let base = "";
/** Where the sandbox inbox is: the target itself, or the standalone emulator of our own instance. */
let inbox = "";
let adminCookie = "";

async function http(
  method: string,
  url: string,
  options: { body?: unknown; forwardedFor?: string; cookie?: string } = {},
) {
  const response = await fetch(url.startsWith("http") ? url : `${base}${url}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...(options.forwardedFor ? { "X-Forwarded-For": options.forwardedFor } : {}),
      ...(options.cookie ? { Cookie: options.cookie } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return {
    status: response.status,
    json: json as Record<string, unknown>,
    setCookie: response.headers.getSetCookie(),
  };
}

async function solvedCaptcha(forwardedFor: string): Promise<string> {
  const { status, json } = await http("GET", "/api/captcha/challenge", { forwardedFor });
  if (status !== 200) return "unsolved";
  const solution = await solveChallenge({ challenge: json as never, deriveKey });
  return Buffer.from(JSON.stringify({ challenge: json, solution })).toString("base64");
}

async function send(phone: string, forwardedFor: string, captcha?: string, country?: string) {
  const sentReply = await http("POST", "/api/otp/send", {
    forwardedFor,
    body: { phone, ...(country ? { country } : {}), captcha: captcha ?? (await solvedCaptcha(forwardedFor)) },
  });
  return sentReply;
}

async function inboxCount(): Promise<number> {
  const { json } = await http("GET", `${inbox}/api/sandbox/messages`);
  return (json.messages as unknown[]).length;
}

async function latestCode(phone: string): Promise<string | null> {
  const { json } = await http("GET", `${inbox}/api/sandbox/messages?to=${encodeURIComponent(phone)}`);
  return ((json.messages as { code: string }[])[0]?.code as string | undefined) ?? null;
}

async function refusalsByRule(): Promise<Record<string, number>> {
  const { json } = await http("GET", "/api/admin/overview", { cookie: adminCookie });
  const totals: Record<string, number> = {};
  for (const bucket of (json.minutes as { buckets: { counts: Record<string, number> }[] }).buckets) {
    for (const [rule, count] of Object.entries(bucket.counts))
      if (!rule.startsWith("@")) totals[rule] = (totals[rule] ?? 0) + count;
  }
  return totals;
}

const random16 = () => (1 + Math.floor(Math.random() * 0xfffe)).toString(16);
const clientIp = () => `2001:db8:${random16()}:${random16()}::1`;
const spoofed = () =>
  `${1 + Math.floor(Math.random() * 222)}.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.9`;
/** A random number under `prefix`, `length` characters long with its `+` (SG 11, US 12, GB 13). */
const randomNumber = (prefix: string, length: number) =>
  `${prefix}${String(Math.floor(Math.random() * 10 ** (length - prefix.length))).padStart(length - prefix.length, "0")}`;
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
  const homes: (() => string)[] = [
    () => randomNumber(`+1415${digit(2)}${digit(2)}`, 12),
    () => randomNumber("+4474", 13),
    () => randomNumber(`+659${Math.floor(Math.random() * 9)}`, 11),
  ];
  const phone = homes[stats.attempts % homes.length]!();
  const ip = clientIp();
  let sent = await send(phone, ip);
  // As the sign-in form does: a refused proof of work (say, one bought before attack mode began)
  // is solved afresh and sent once more.
  if (sent.status === 403 && (sent.json.error as { code?: string } | undefined)?.code === "captcha_failed") {
    sent = await send(phone, ip);
  }
  if (sent.status !== 202) return;
  stats.sent += 1;
  const cookie = sent.setCookie.map((header) => header.split(";")[0]).join("; ");
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
        const cookie = sent.setCookie.map((header) => header.split(";")[0]).join("; ");
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

async function signInAdmin(): Promise<void> {
  const ip = clientIp();
  const sent = await send(ADMIN, ip);
  const pending = sent.setCookie.map((header) => header.split(";")[0]).join("; ");
  const verified = await http("POST", "/api/otp/verify", {
    forwardedFor: ip,
    cookie: pending,
    body: { code: await latestCode(ADMIN) },
  });
  adminCookie = verified.setCookie.map((header) => header.split(";")[0]).join("; ");
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let own: { url: string; stop(): void } | null = null;
  if (options.target) {
    const host = new URL(options.target).hostname;
    if (!["localhost", "127.0.0.1", "[::1]"].includes(host) && !options.allowRemote) {
      throw new Error(`${host} is not loopback: pass --allow-remote, and only for a deployment you own.`);
    }
    base = options.target.replace(/\/$/, "");
    inbox = base;
  } else {
    const instance = await startInstance(
      {
        ADMIN_PHONE_NUMBERS: ADMIN,
        // Cheap proof of work so that bots solving it can be simulated quickly on one machine.
        ALTCHA_COST: "50",
        ALTCHA_MAX_COUNTER: "50",
      },
      { standaloneSandbox: true },
    );
    own = instance;
    base = instance.url;
    inbox = instance.sandboxUrl;
  }

  try {
    await signInAdmin();
    const selected = scenarios.filter(
      (scenario) => !options.scenarios || options.scenarios.includes(scenario.name),
    );
    const results = [];
    for (const scenario of selected) {
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
      const rulesAfter = await refusalsByRule();
      const refusals = Object.fromEntries(
        Object.entries(rulesAfter)
          .map(([rule, count]) => [rule, count - (rulesBefore[rule] ?? 0)] as const)
          .filter(([, count]) => count > 0),
      );
      const result = {
        scenario: scenario.name,
        description: scenario.description,
        attempts: outcome.attempts,
        sms,
        refusals,
        legitimate: {
          attempts: legit.attempts,
          succeeded: legit.succeeded,
          rate: legit.attempts ? legit.succeeded / legit.attempts : 1,
        },
        seconds,
        budget: scenario.budgetText,
        ...(outcome.extra ? { extra: outcome.extra } : {}),
      };
      const withinBudget = scenario.budget({ ...outcome, sms }) && result.legitimate.rate >= 0.99;
      results.push({ ...result, withinBudget });
    }

    console.log("\nscenario                     attempts  SMS  legit ok   seconds  budget");
    for (const r of results) {
      console.log(
        `${r.scenario.padEnd(28)} ${String(r.attempts).padStart(8)} ${String(r.sms).padStart(4)}  ${`${r.legitimate.succeeded}/${r.legitimate.attempts}`.padStart(8)} ${r.seconds.toFixed(1).padStart(9)}  ${r.withinBudget ? "ok" : "EXCEEDED"} (${r.budget}; legitimate ≥ 99%)`,
      );
      console.log(
        `${"".padEnd(29)}refusals: ${
          Object.entries(r.refusals)
            .map(([rule, n]) => `${rule} ${n}`)
            .join(", ") || "none"
        }`,
      );
      if ("extra" in r && r.extra)
        console.log(
          `${"".padEnd(29)}${Object.entries(r.extra)
            .map(([k, v]) => `${k}: ${v}`)
            .join(", ")}`,
        );
    }
    mkdirSync(path.dirname(options.json), { recursive: true });
    writeFileSync(
      options.json,
      JSON.stringify({ target: base, at: new Date().toISOString(), results }, null, 2),
    );
    console.log(`\nwrote ${options.json}`);
    if (results.some((r) => !r.withinBudget)) process.exitCode = 1;
  } finally {
    own?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
