/**
 * Ring scenarios: the strongest realistic SMS-pumping attacker, one who has read our code, with
 * legitimate users signing in throughout. Every attempt comes from a fresh client address in a
 * /24 of its own (a residential proxy pool), goes to a number under a prefix of its own (so no
 * per-prefix limit fills up), solves the proof of work, and never enters a code. The only thing
 * it cannot hide is that its numbers never convert — which is what conversion-aware budgets
 * ("unverified sends in a trailing window may not exceed max(floor, ratio × verified)", per
 * country and per number range) are built to see.
 *
 * Time is modelled for such budgets: legitimate traffic alone first (the baseline conversion),
 * then the ring at the rate the issue measured, then legitimate traffic for a while longer.
 * A number range is the country calling code and the first three national digits (+62 812…).
 */
import {
  clientIp,
  cookieHeader,
  digits,
  errorCode,
  http,
  inboxCount,
  inboxMessages,
  latestCode,
  mobileNumberIn,
  randomNumber,
  send,
  sleep,
  solvedCaptcha,
  type InboxMessage,
} from "./client";

// ---- The attack and the traffic around it ----------------------------------------------------------

/**
 * The ring as the issue measured it against today's defenses: "81% of 600 send attempts got
 * through — 488 SMS in about 15 seconds". The ring is open-loop: attempt i starts at
 * i × RING_SECONDS / RING_ATTEMPTS, whatever the answers; RING_MAX_IN_FLIGHT only keeps this one
 * machine (which also solves every proof of work) from drowning when the app slows down.
 */
const RING_ATTEMPTS = 600;
const RING_SECONDS = 15;
const RING_MAX_IN_FLIGHT = 32;

/** Legitimate traffic alone before the ring starts: the baseline that conversion budgets learn. */
const WARM_UP_SECONDS = 30;
/** Legitimate traffic after the ring stops: a block that outlives the attack refuses people. */
const AFTER_SECONDS = 10;
/** People take a while to read the SMS and type the code: seconds, uniformly in this range. */
const CODE_ENTRY_SECONDS = [5, 15] as const;
/** One new user in five never enters the code (gave up, signed in elsewhere): 80% conversion. */
const ABANDON_EVERY = 5;
/** Returning users whose numbers are in the attacked range (or country); each comes back once. */
const RETURNING_USERS = 10;
/**
 * A returning user's earlier code must be older than the number's resend delay (the app's default
 * OTP_RESEND_INTERVAL_SECONDS, 30 s), or their return is simply "too soon" — which it never is
 * in life, where they signed in days ago.
 */
const RETURN_AFTER_SECONDS = 32;
/** A country converting at least this well is under no attack: no one there may be refused. */
const NORMAL_CONVERSION = 0.5;

/** New legitimate users arriving a second, by where their numbers are. */
const ARRIVALS_PER_SECOND = { otherCountries: 1, attackedCountry: 1, attackedRange: 0.5 };
const LEGIT_SENDS_PER_MINUTE =
  60 *
  (ARRIVALS_PER_SECOND.otherCountries +
    ARRIVALS_PER_SECOND.attackedCountry +
    ARRIVALS_PER_SECOND.attackedRange);

/**
 * What our own instance needs for these scenarios. The ring's country is one this deployment
 * serves. The blunt caps — codes to one country an hour, challenges handed out a minute — are
 * raised far above the ring: at their defaults they would stop the ring by refusing everyone in the
 * country (or everyone at all), legitimate users included, and these scenarios measure the defenses
 * that tell the two apart. The attack detector is set above this legitimate traffic's own rate,
 * as a deployment with this much traffic would set it.
 */
export const ringInstanceEnv: Record<string, string> = {
  ALLOWED_COUNTRIES: "GB,ID,SG,US",
  RATE_LIMITS: "send.country=100000/1h,captcha.challenge.global=100000/1m",
  ATTACK_MODE_SENDS_PER_MINUTE: String(2 * LEGIT_SENDS_PER_MINUTE),
};

// ---- Numbers and addresses -------------------------------------------------------------------------

/** Indonesia: a country SMS pumping favours, and mobile ranges (+62 8xx) with 11-digit numbers. */
const COUNTRY = { iso: "ID", callingCode: "+62" };
const INDONESIAN_RANGES = [
  ...["811", "812", "813", "814", "815", "816", "817", "818", "819", "821", "822", "823", "828"],
  ...["831", "832", "833", "838", "851", "852", "853", "855", "856", "857", "858", "859", "877"],
  ...["878", "881", "882", "883", "884", "885", "886", "887", "888", "889", "895", "896", "897"],
  ...["898", "899"],
];
const ATTACKED_RANGE = "812";
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** +62 8xx, then four digits (the rest of its prefix), then the last four. */
const indonesianNumber = (range: string) =>
  mobileNumberIn(COUNTRY.iso, () => `${COUNTRY.callingCode}${range}${digits(8)}`);

/** Numbers under prefixes never used before in this scenario, in `ranges`. */
function freshPrefixNumbers(ranges: readonly string[]): () => string {
  const used = new Set<string>();
  return () => {
    if (used.size >= ranges.length * 10 ** 4) throw new Error("Every prefix of these ranges is used.");
    for (;;) {
      const prefix = `${COUNTRY.callingCode}${pick(ranges)}${digits(4)}`;
      if (used.has(prefix)) continue;
      used.add(prefix);
      return mobileNumberIn(COUNTRY.iso, () => `${prefix}${digits(4)}`);
    }
  };
}

const US_AREA_CODES = ["206", "212", "305", "312", "404", "415", "503", "602", "617", "702", "713", "818"];
const digitFrom = (from: number) => String(from + Math.floor(Math.random() * (10 - from)));
const OTHER_COUNTRIES = [
  { iso: "SG", callingCode: "+65", number: () => randomNumber(`+659${digitFrom(0)}`, 11) },
  { iso: "GB", callingCode: "+44", number: () => randomNumber("+447", 13) },
  {
    iso: "US",
    callingCode: "+1",
    // Over many area codes: a range of +1 is its area code, and one for every American would put
    // them all in one range, whose conversion budget a fifth of them never entering a code can trip.
    number: () => randomNumber(`+1${pick(US_AREA_CODES)}${digitFrom(2)}${digitFrom(2)}`, 12),
  },
];
const countryOf = (phone: string) =>
  [COUNTRY, ...OTHER_COUNTRIES].find(({ callingCode }) => phone.startsWith(callingCode))!.iso;

/**
 * The ring's client addresses, one /24 each, from 240.0.0.0/4 (reserved, RFC 1112: assigned to
 * nobody, routed nowhere; the three IPv4 documentation /24s cannot give each request its own).
 * They only ever appear in X-Forwarded-For; the traffic goes to the local app.
 */
function freshNetworkAddresses(): (index: number) => string {
  const first = Math.floor(Math.random() * (2 ** 20 - RING_ATTEMPTS));
  return (index) => {
    const network = first + index;
    return `${240 + (network >> 16)}.${(network >> 8) & 255}.${network & 255}.${1 + Math.floor(Math.random() * 254)}`;
  };
}

// ---- Legitimate users --------------------------------------------------------------------------------

type Phase = "warm-up" | "attack";
type Visit = {
  cohort: string;
  phase: Phase;
  country: string;
  gotCode: boolean;
  /** The refusal's code, or null. */
  refused: string | null;
  verified: boolean;
};

const visitTo = (cohort: string, phone: string, phase: Phase): Visit => ({
  cohort,
  phase,
  country: countryOf(phone),
  gotCode: false,
  refused: null,
  verified: false,
});

/** The known-device cookie the verify response sets (lib/sign-in/known-device.ts). */
const KNOWN_DEVICE_COOKIE = "otp_device";

/**
 * One person signing in from an address of their own, as the sign-in form does it: a refused
 * proof of work (one bought before attack mode began) is solved afresh and sent once more; the
 * code is read from the SMS and typed in after a human while, unless they give up. Returns the
 * browser's known-device cookie after a sign-in.
 */
async function signInAsPerson(
  visit: Visit,
  phone: string,
  { deviceCookie = "", abandons = false, typingMs = humanTypingMs() } = {},
): Promise<string> {
  const ip = clientIp();
  let sent = await send(phone, ip, undefined, undefined, deviceCookie || undefined);
  if (sent.status === 403 && errorCode(sent) === "captcha_failed") {
    sent = await send(phone, ip, undefined, undefined, deviceCookie || undefined);
  }
  if (sent.status !== 202) {
    visit.refused = errorCode(sent) ?? `HTTP ${sent.status}`;
    return deviceCookie;
  }
  const code = await latestCode(phone);
  visit.gotCode = code !== null;
  if (!code || abandons) return deviceCookie;
  await sleep(typingMs);
  const verified = await http("POST", "/api/otp/verify", {
    forwardedFor: ip,
    cookie: cookieHeader(sent.setCookie, deviceCookie),
    body: { code },
  });
  visit.verified = verified.status === 200;
  const device = verified.setCookie.find((header) => header.startsWith(`${KNOWN_DEVICE_COOKIE}=`));
  return device ? cookieHeader([device]) : deviceCookie;
}

const humanTypingMs = () =>
  1000 * (CODE_ENTRY_SECONDS[0] + Math.random() * (CODE_ENTRY_SECONDS[1] - CODE_ENTRY_SECONDS[0]));

type Cohort = {
  label: string;
  perSecond: number;
  number: () => string;
  /** Share of its users who must get their code from the ring's start on; null: reported only. */
  target: number | null;
};

// ---- The ring ------------------------------------------------------------------------------------------

type RingStats = { attempts: number; numbers: Set<string>; admittedMs: number[]; refusedMs: number[] };

async function runRing(nextNumber: () => string): Promise<RingStats & { seconds: number }> {
  const stats: RingStats = { attempts: 0, numbers: new Set(), admittedMs: [], refusedMs: [] };
  const address = freshNetworkAddresses();
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let index = 0; index < RING_ATTEMPTS; index += 1) {
    await sleep(started + (index * RING_SECONDS * 1000) / RING_ATTEMPTS - Date.now());
    while (inFlight.size >= RING_MAX_IN_FLIGHT) await Promise.race(inFlight);
    const attempt = (async () => {
      const phone = nextNumber();
      // A sticky session of the proxy pool: one exit for the challenge and the send.
      const ip = address(index);
      const captcha = await solvedCaptcha(ip);
      const sentAt = performance.now();
      const reply = await send(phone, ip, captcha);
      (reply.status === 202 ? stats.admittedMs : stats.refusedMs).push(performance.now() - sentAt);
      stats.attempts += 1;
      stats.numbers.add(phone);
    })().finally(() => inFlight.delete(attempt));
    inFlight.add(attempt);
  }
  await Promise.all(inFlight);
  return { ...stats, seconds: (Date.now() - started) / 1000 };
}

// ---- A scenario, start to end -----------------------------------------------------------------------

/** One row of a ring scenario's table: a target with its budget, or a figure reported alongside. */
export type TargetRow = { target: string; measured: string; budget: string; ok: boolean | null };
export type RingOutcome = { rows: TargetRow[]; extra: Record<string, string> };
export type RingScenario = { name: string; description: string; run: () => Promise<RingOutcome> };

type Plan = {
  /** Numbers the ring sends to, each under a prefix of its own. */
  ringNumbers: () => string;
  ringBudget: { share: number; stretch?: number; text: string };
  cohorts: Cohort[];
  returning: { label: string; number: () => string };
};

const percent = (part: number, whole: number) =>
  whole === 0 ? "–" : `${((100 * part) / whole).toFixed(1)}%`;
const quantile = (values: number[], q: number) =>
  values.length === 0 ? 0 : [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;

async function runPlan(plan: Plan): Promise<RingOutcome> {
  const visits: Visit[] = [];
  const newVisit = (cohort: string, phone: string, phase: Phase): Visit => {
    const visit = visitTo(cohort, phone, phase);
    visits.push(visit);
    return visit;
  };

  // 1. Returning users signed in once, long ago as far as the scenario is concerned: they keep
  //    their browser's known-device cookie. (Not counted: the scenario starts after them.)
  //    One after another, as their sign-ins spread over the days before: ten codes to one range
  //    at the same moment, none entered yet, is what a ring looks like.
  const returning: { phone: string; deviceCookie: string; signedInAt: number }[] = [];
  for (let index = 0; index < RETURNING_USERS; index += 1) {
    const phone = plan.returning.number();
    const earlier = visitTo(plan.returning.label, phone, "warm-up");
    const deviceCookie = await signInAsPerson(earlier, phone, { typingMs: 0 });
    if (!earlier.verified) throw new Error(`A returning user (${phone}) could not sign in before the ring.`);
    returning.push({ phone, deviceCookie, signedInAt: Date.now() });
  }

  // 2. New users arrive at a steady rate, from the warm-up's start until after the ring ends.
  const smsBefore = await inboxCount();
  let phase: Phase = "warm-up";
  let arriving = true;
  const people: Promise<unknown>[] = [];
  const arrivals = plan.cohorts.map(async (cohort, position) => {
    const interval = 1000 / cohort.perSecond;
    await sleep((position * interval) / plan.cohorts.length);
    for (let index = 0; arriving; index += 1) {
      const phone = cohort.number();
      people.push(
        signInAsPerson(newVisit(cohort.label, phone, phase), phone, {
          abandons: index % ABANDON_EVERY === ABANDON_EVERY - 1,
        }),
      );
      await sleep(interval);
    }
  });
  await sleep(WARM_UP_SECONDS * 1000);

  // 3. The ring, while returning users come back one by one across its window.
  phase = "attack";
  const ringStart = Date.now();
  for (const [index, user] of returning.entries()) {
    const due = Math.max(
      ringStart + ((index + 0.5) * RING_SECONDS * 1000) / RETURNING_USERS,
      user.signedInAt + RETURN_AFTER_SECONDS * 1000,
    );
    people.push(
      sleep(due - Date.now()).then(() =>
        signInAsPerson(newVisit(plan.returning.label, user.phone, "attack"), user.phone, {
          deviceCookie: user.deviceCookie,
        }),
      ),
    );
  }
  const ring = await runRing(plan.ringNumbers);
  await sleep(AFTER_SECONDS * 1000);
  arriving = false;
  await Promise.all(arrivals);
  await Promise.all(people);

  // 4. What reached 8x8, from the sandbox's inbox: the ring's numbers' SMS, and each country's.
  const all = await inboxMessages();
  const sms: InboxMessage[] = all.slice(0, all.length - smsBefore);
  const ringSms = sms.filter((message) => ring.numbers.has(message.to)).length;

  const rows: TargetRow[] = [
    {
      target: "ring: attempts that reach 8x8",
      measured: `${ringSms}/${ring.attempts} (${percent(ringSms, ring.attempts)})${
        plan.ringBudget.stretch !== undefined && ringSms <= ring.attempts * plan.ringBudget.stretch
          ? ", stretch met"
          : ""
      }`,
      budget: plan.ringBudget.text,
      ok: ring.attempts > 0 && ringSms <= ring.attempts * plan.ringBudget.share,
    },
  ];
  const underAttack = visits.filter((visit) => visit.phase === "attack");
  for (const { label, target } of [...plan.cohorts, { label: plan.returning.label, target: 1 }]) {
    const cohort = underAttack.filter((visit) => visit.cohort === label);
    const got = cohort.filter((visit) => visit.gotCode).length;
    rows.push({
      target: `${label}: got their code`,
      measured: `${got}/${cohort.length} (${percent(got, cohort.length)})`,
      budget: target === null ? "reported" : target === 1 ? "100%" : `≥ ${100 * target}%`,
      ok: target === null ? null : cohort.length > 0 && got >= cohort.length * target,
    });
  }

  // A country's conversion: codes entered over codes asked for (refused or not), so that a ring
  // makes its country abnormal however few of its attempts get through.
  const ringNumbers = [...ring.numbers];
  const countries = [...new Set(visits.map((visit) => visit.country))].map((iso) => {
    const inCountry = visits.filter((visit) => visit.country === iso);
    const asked = inCountry.length + ringNumbers.filter((phone) => countryOf(phone) === iso).length;
    const verified = inCountry.filter((visit) => visit.verified).length;
    const refused = inCountry.filter((visit) => visit.refused !== null).length;
    return { iso, conversion: verified / asked, refused };
  });
  const normal = countries.filter(({ conversion }) => conversion >= NORMAL_CONVERSION);
  const refusedWhereNormal = normal.reduce((total, { refused }) => total + refused, 0);
  rows.push({
    target: `legit refused where conversion is normal (≥ ${100 * NORMAL_CONVERSION}% of asks)`,
    measured: `${refusedWhereNormal} (${countries
      .map(({ iso, conversion }) => `${iso} ${(100 * conversion).toFixed(0)}%`)
      .join(", ")})`,
    budget: "0",
    ok: normal.length > 0 && refusedWhereNormal === 0,
  });
  const conversion = (selected: Visit[]) =>
    percent(
      selected.filter((visit) => visit.verified).length,
      selected.filter((visit) => visit.gotCode).length,
    );
  const newUsers = visits.filter((visit) => visit.cohort !== plan.returning.label);
  rows.push({
    target: "legit conversion (verified / got code)",
    measured: `warm-up ${conversion(newUsers.filter((visit) => visit.phase === "warm-up"))}, then ${conversion(
      newUsers.filter((visit) => visit.phase === "attack"),
    )}`,
    budget: "reported",
    ok: null,
  });

  const refusals = new Map<string, number>();
  for (const visit of visits)
    if (visit.refused) refusals.set(visit.refused, (refusals.get(visit.refused) ?? 0) + 1);
  return {
    rows,
    extra: {
      "ring rate": `${ring.attempts} in ${ring.seconds.toFixed(1)} s (${(ring.attempts / ring.seconds).toFixed(0)}/s)`,
      "ring send ms p50/p95": `admitted ${quantile(ring.admittedMs, 0.5).toFixed(0)}/${quantile(ring.admittedMs, 0.95).toFixed(0)}, refused ${quantile(ring.refusedMs, 0.5).toFixed(0)}/${quantile(ring.refusedMs, 0.95).toFixed(0)}`,
      "legit refusals": [...refusals].map(([code, count]) => `${code} ${count}`).join(", ") || "none",
    },
  };
}

const otherCountries: Cohort = {
  label: "legit, other countries (SG, GB, US)",
  perSecond: ARRIVALS_PER_SECOND.otherCountries,
  // People elsewhere, spread over many prefixes as real numbers are.
  number: () => {
    const { iso, number } = pick(OTHER_COUNTRIES);
    return mobileNumberIn(iso, number);
  },
  target: 1,
};

export const ringScenarios: RingScenario[] = [
  {
    name: "ring-one-range",
    description: `(i) a ring in one number range (${COUNTRY.callingCode} ${ATTACKED_RANGE}…), a fresh prefix and /24 for every attempt, solving the PoW`,
    run: () =>
      runPlan({
        ringNumbers: freshPrefixNumbers([ATTACKED_RANGE]),
        ringBudget: { share: 0.02, stretch: 0.01, text: "≤ 2% (stretch ≤ 1%)" },
        cohorts: [
          otherCountries,
          {
            label: `legit, other ranges of ${COUNTRY.iso}`,
            perSecond: ARRIVALS_PER_SECOND.attackedCountry,
            number: () =>
              indonesianNumber(pick(INDONESIAN_RANGES.filter((range) => range !== ATTACKED_RANGE))),
            target: 0.9,
          },
          {
            label: `legit, new users in ${COUNTRY.callingCode} ${ATTACKED_RANGE}`,
            perSecond: ARRIVALS_PER_SECOND.attackedRange,
            number: () => indonesianNumber(ATTACKED_RANGE),
            target: null,
          },
        ],
        returning: {
          label: `returning users in ${COUNTRY.callingCode} ${ATTACKED_RANGE}`,
          number: () => indonesianNumber(ATTACKED_RANGE),
        },
      }),
  },
  {
    name: "ring-country",
    description: `(j) the same ring spread over every mobile range of one country (${COUNTRY.iso})`,
    run: () =>
      runPlan({
        ringNumbers: freshPrefixNumbers(INDONESIAN_RANGES),
        ringBudget: { share: 0.05, text: "≤ 5%" },
        cohorts: [
          otherCountries,
          // Every range is attacked, so there is no "other range": new users here are reported.
          {
            label: `legit, new users in ${COUNTRY.iso}`,
            perSecond: ARRIVALS_PER_SECOND.attackedCountry + ARRIVALS_PER_SECOND.attackedRange,
            number: () => indonesianNumber(pick(INDONESIAN_RANGES)),
            target: null,
          },
        ],
        returning: {
          label: `returning users in ${COUNTRY.iso}`,
          number: () => indonesianNumber(pick(INDONESIAN_RANGES)),
        },
      }),
  },
];
