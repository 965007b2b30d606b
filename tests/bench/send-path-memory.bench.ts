import { bench, describe, type BenchOptions } from "vitest";
import { loadSendRoute, refusedSendRequest, sendRequest, solvedCaptchas } from "./send-decision";

// The in-process decision time of refused sends (`npm run bench`): the CPU the app spends on one,
// through the real route handler, on the in-process store, so no store latency is in it. The
// solved CAPTCHAs are at vitest.config.ts's cheap price: at the default price their one key
// derivation adds what tests/bench/captcha-challenge.bench.ts measures.
const { send, createAltchaChallenge } = await loadSendRoute();
const { verifyAltchaPayload } = await import("@/lib/defenses/captcha/altcha");

/** A fixed number of runs (each solved CAPTCHA is used once), after a warm-up. */
const RUNS = 2000;
const WARM_UP = 1000;
const fixedRuns = { time: 0, iterations: RUNS, warmupTime: 0, warmupIterations: WARM_UP };

/**
 * The runs' CPU time (this process, every thread: the key derivations run on libuv's pool), per
 * run: the table's times are wall-clock, which other load on the machine stretches.
 */
function cpuTimed(before?: () => Promise<void>): BenchOptions {
  let start: NodeJS.CpuUsage | undefined;
  return {
    ...fixedRuns,
    setup: async (_task, mode) => {
      if (mode === "warmup") await before?.();
      else start = process.cpuUsage();
    },
    teardown: (task, mode) => {
      if (mode !== "run" || !start) return;
      const used = process.cpuUsage(start);
      const ms = (used.user + used.system) / 1000 / RUNS;
      console.log(`[bench] CPU per run: ${ms.toFixed(3)} ms — ${task.name}`);
    },
  };
}
const captchas = await solvedCaptchas(createAltchaChallenge, 3 * (RUNS + WARM_UP) + 20);

let counter = 0;
const nextAddress = () => `2001:db8:be:${(counter += 1).toString(16)}::1`;
const nextPhone = () => `+658123${String(4000 + (counter += 1)).slice(-4)}`;

async function expectStatus(request: Parameters<typeof send>[0], status: number, what: string) {
  const response = await send(request);
  if (response.status !== status) throw new Error(`${what}: ${response.status} ${await response.text()}`);
}

/** An address that has spent its send budget: sends until the address limit refuses. */
const spentAddress = "2001:db8:be:ffff::1";
async function spendAddress() {
  for (let sends = 0; sends < 20; sends += 1) {
    const response = await send(sendRequest(spentAddress, { phone: nextPhone(), captcha: captchas.take() }));
    if (response.status === 429) return;
  }
  throw new Error("The address limit never refused");
}

/** A number just sent a code to: its resend delay refuses the next send, from any address. */
const coolingPhone = "+6581239876";
async function startCooldown() {
  await expectStatus(
    sendRequest(nextAddress(), { phone: coolingPhone, captcha: captchas.take() }),
    202,
    "first send",
  );
}

describe("send path, memory store: refused sends", () => {
  bench(
    "forged CAPTCHA (the typical pumping bot): refused by the CAPTCHA guard",
    async () => {
      await send(refusedSendRequest(nextAddress()));
    },
    cpuTimed(),
  );
  bench(
    "solved CAPTCHA, address budget spent: refused by the limits from this instance's memory",
    async () => {
      await expectStatus(
        sendRequest(spentAddress, { phone: nextPhone(), captcha: captchas.take() }),
        429,
        "spent address",
      );
    },
    cpuTimed(spendAddress),
  );
  bench(
    "solved CAPTCHA, number in its resend delay: refused by the limits' full decision",
    async () => {
      await expectStatus(
        sendRequest(nextAddress(), { phone: coolingPhone, captcha: captchas.take() }),
        429,
        "cooling number",
      );
    },
    cpuTimed(startCooldown),
  );
  bench(
    "for comparison: verifying a solved CAPTCHA alone (its share of the two above)",
    async () => {
      await verifyAltchaPayload(captchas.take());
    },
    cpuTimed(),
  );
  bench(
    "honeypot filled: refused before the CAPTCHA",
    async () => {
      await send(sendRequest(nextAddress(), { phone: "+6581234567", captcha: "x", website: "spam" }));
    },
    cpuTimed(),
  );
});
