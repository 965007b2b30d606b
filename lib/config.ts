/**
 * Every number the app runs on, in one place, with its default and the reason for it: the rate
 * limits ({@link defaultLimits}), the growing delays, and every timeout, lifetime and capacity
 * ({@link config}). Plain data and pure helpers that import nothing, so lib/env.ts and any other
 * module, on the server or in the browser, can read it. Tests check the README's tables against it.
 */

/**
 * The unit a setting's `value` is in. Durations are read in exactly this unit by their owner
 * module (a `_SECONDS` constant reads an `"s"` entry), and the README writes them for people.
 */
export type SettingUnit =
  | "ms"
  | "s"
  | "min"
  | "h"
  | "bits"
  | "bytes"
  | "characters"
  | "digits"
  | "checks"
  | "sends"
  | "events"
  | "entries"
  | "messages"
  | "sessions"
  | "rows"
  | "challenges"
  | "senders"
  | "iterations"
  | "tries"
  | "alerts"
  | "%"
  | "mills"
  | "micro-USD"
  | "×";

/**
 * One tunable value. `env` names the variable that overrides it (validated by lib/env.ts within
 * `min`–`max`, with `value` as the schema's default); without `env` the value is fixed in code,
 * and its `reason` says why.
 */
export type Setting = {
  value: number;
  unit: SettingUnit;
  env?: { name: string; min: number; max: number };
  reason: string;
};

/**
 * Every timeout, lifetime, delay and capacity, with its default and why it is what it is. The
 * modules that use one read it from here; the README's "Timeouts, lifetimes and capacities" table
 * is checked against this object by a test (tests/unit/readme-limits.test.ts), so the two cannot
 * drift. Rate limits have their own table: {@link defaultLimits}.
 */
export const config = {
  otp: {
    codeLength: {
      value: 6,
      unit: "digits",
      env: { name: "OTP_CODE_LENGTH", min: 4, max: 10 },
      reason: "One chance in a million per guess, and what people expect to type.",
    },
    codeValidity: {
      value: 300,
      unit: "s",
      env: { name: "OTP_CODE_VALIDITY_SECONDS", min: 30, max: 7200 },
      reason: "Time to switch apps and type the code; 8x8 accepts 30 s to 2 h.",
    },
    resendInterval: {
      value: 30,
      unit: "s",
      env: { name: "OTP_RESEND_INTERVAL_SECONDS", min: 10, max: 7200 },
      reason:
        "The first wait between two codes to one number; 8x8 enforces it too, and it doubles from there.",
    },
  },
  resendDelay: {
    freeSends: {
      value: 1,
      unit: "sends",
      reason: "Fixed: the first code to a number never waits; the growing delay starts with the second.",
    },
    max: {
      value: 60 * 60,
      unit: "s",
      reason:
        "Fixed: the longest wait between codes to one number; the daily limit stops pumping long before.",
    },
    memory: {
      value: 24 * 60 * 60,
      unit: "s",
      reason: "Fixed: a day without a code to the number (or a sign-in with it) starts the delay over.",
    },
  },
  checkDelay: {
    freeChecks: {
      value: 5,
      unit: "checks",
      reason: "Fixed: one 8x8 session's worth of tries for a number before its checks slow down.",
    },
    base: {
      value: 1,
      unit: "s",
      reason: "Fixed: the first wait after those checks, doubled by each further one.",
    },
    max: {
      value: 60,
      unit: "s",
      reason: "Fixed: the longest wait between checks; `verify.phone.total` caps the guesses in all.",
    },
    memory: {
      value: 24 * 60 * 60,
      unit: "s",
      reason: "Fixed: a day without a check for the number (or a success) starts the delay over.",
    },
  },
  signIn: {
    pendingGrace: {
      value: 120,
      unit: "s",
      reason:
        'Fixed: a pending verification outlives its code by this, so "expired" differs from "never sent".',
    },
    issuanceClaimExtra: {
      value: 60,
      unit: "s",
      reason:
        "Fixed: a number's issuance claim outlives its pending verification by this, covering the 8x8 call.",
    },
    grantLifetime: {
      value: 60,
      unit: "s",
      reason:
        "Fixed: a sign-in grant is redeemed by the browser's next request; a short life limits a leaked one.",
    },
    knownDeviceLifetime: {
      value: 90 * 24 * 60 * 60,
      unit: "s",
      reason: "Fixed: how long a browser that signed in with a number may use that number's reserve.",
    },
    sessionMaxAge: {
      value: 30 * 24 * 60 * 60,
      unit: "s",
      reason: "Fixed: Auth.js's default session lifetime, refreshed while in use (admin rights last less).",
    },
  },
  admin: {
    freshness: {
      value: 120,
      unit: "min",
      env: { name: "ADMIN_SESSION_MINUTES", min: 5, max: 24 * 60 },
      reason:
        "Admin rights end this long after each sign-in (with ADMIN_REQUIRE_PASSKEY, after each passkey proof): a fresh one renews them.",
    },
    pageSize: {
      value: 50,
      unit: "events",
      reason: "Fixed: throttle events on one page of the console when the request names no limit.",
    },
    maxPageSize: {
      value: 200,
      unit: "events",
      reason: "Fixed: the most events one page may ask for, so one request stays cheap.",
    },
    exportRows: {
      value: 10_000,
      unit: "rows",
      reason: "Fixed: the most events one CSV export holds, so an export stays one bounded response.",
    },
  },
  passkeys: {
    challengeLifetime: {
      value: 300,
      unit: "s",
      reason:
        "Fixed: a passkey prompt's challenge is single-use and dies with the prompt (WebAuthn's 5-minute timeout with user verification).",
    },
    enrollmentLinkLifetime: {
      value: 15,
      unit: "min",
      reason:
        "Fixed: an admin enrollment link (`npm run admin:enroll`) is single-use and good for this long: time to sign in and add the passkey.",
    },
    maxPerAccount: {
      value: 20,
      unit: "entries",
      reason:
        "Fixed: passkeys one account may hold, so the account page and each sign-in's lookup stay small.",
    },
    maxName: {
      value: 60,
      unit: "characters",
      reason: "Fixed: a passkey's name, as its owner types it on the account page.",
    },
  },
  defenses: {
    spentSenderMemory: {
      value: 10_000,
      unit: "ms",
      reason:
        "Fixed: how long an instance refuses a spent sender without asking the store; one round trip per 10 s is nothing.",
    },
    spentSenderCapacity: {
      value: 10_000,
      unit: "senders",
      reason: "Fixed: spent senders one instance remembers (the oldest go first), so memory stays bounded.",
    },
    ruleMinLifetime: {
      value: 60,
      unit: "s",
      reason: "Fixed: the shortest operator rule; every rule expires by itself.",
    },
    ruleMaxLifetime: {
      value: 90 * 24 * 60 * 60,
      unit: "s",
      reason: "Fixed: the longest operator rule, so a forgotten block cannot last for ever.",
    },
  },
  captcha: {
    altchaCost: {
      value: 2000,
      unit: "iterations",
      env: { name: "ALTCHA_COST", min: 1, max: 1_000_000 },
      reason: "With the counter, the price of one proof of work: cost × ¾ counter PBKDF2 iterations.",
    },
    altchaMaxCounter: {
      value: 2000,
      unit: "tries",
      env: { name: "ALTCHA_MAX_COUNTER", min: 1, max: 10_000_000 },
      reason: '¾ of it is the average number of tries a proof of work takes (see "CAPTCHA").',
    },
    attackCostMultiplier: {
      value: 8,
      unit: "×",
      env: { name: "ALTCHA_ATTACK_COST_MULTIPLIER", min: 1, max: 100 },
      reason: "How much dearer a challenge gets while attack mode is on.",
    },
    attackModeSendsPerMinute: {
      value: 30,
      unit: "sends",
      env: { name: "ATTACK_MODE_SENDS_PER_MINUTE", min: 1, max: 1_000_000 },
      reason: "Sends a minute past the CAPTCHA and every limit that only bots reach: attack mode turns on.",
    },
    attackModeDuration: {
      value: 10 * 60,
      unit: "s",
      reason:
        "Fixed: attack mode stays on this long after the rate falls back, so bots cannot wait it out cheaply.",
    },
    challengeLifetime: {
      value: 10 * 60,
      unit: "s",
      reason:
        "Fixed: time to solve a challenge and send; an expired one is refused, so answers cannot be stockpiled.",
    },
    triedChallenges: {
      value: 20_000,
      unit: "challenges",
      reason:
        "Fixed: challenges one instance remembers having checked, so a forged solution costs one key derivation.",
    },
    remoteTimeout: {
      value: 3000,
      unit: "ms",
      reason:
        "Fixed: deadline for Turnstile's or hCaptcha's siteverify; past it the send fails closed (503).",
    },
  },
  clientIp: {
    ipv6Prefix: {
      value: 64,
      unit: "bits",
      env: { name: "CLIENT_IP_IPV6_PREFIX", min: 48, max: 128 },
      reason: "IPv6 clients are limited per this prefix: one subscriber usually holds a whole /64.",
    },
  },
  http: {
    maxJsonBody: {
      value: 4096,
      unit: "bytes",
      reason: "Fixed: public JSON bodies are a few hundred bytes; anything far larger is abuse (413).",
    },
    maxUserAgent: {
      value: 512,
      unit: "characters",
      reason: "Fixed: the User-Agent kept with a throttle event; attacker-controlled, so bounded.",
    },
  },
  eightByEight: {
    timeout: {
      value: 5000,
      unit: "ms",
      env: { name: "EIGHT_BY_EIGHT_TIMEOUT_MS", min: 100, max: 60_000 },
      reason: "Deadline for each 8x8 call; past it the user gets 503.",
    },
    sandboxInbox: {
      value: 2000,
      unit: "messages",
      reason: "Fixed: messages the sandbox keeps (newest), so a public demo's memory stays bounded.",
    },
    sandboxSessions: {
      value: 20_000,
      unit: "sessions",
      reason: "Fixed: verification sessions the sandbox keeps (oldest go first), for the same reason.",
    },
  },
  store: {
    timeout: {
      value: 1000,
      unit: "ms",
      env: { name: "STORE_TIMEOUT_MS", min: 50, max: 10_000 },
      reason: "Deadline for every store operation; past it the request fails closed.",
    },
    reconnectStep: {
      value: 100,
      unit: "ms",
      reason:
        "Fixed: Redis over TCP waits this × the attempt number before reconnecting, at most `reconnectMax`.",
    },
    reconnectMax: {
      value: 1000,
      unit: "ms",
      reason: "Fixed: the longest wait between reconnections, so the app recovers soon after Redis is back.",
    },
    errorLogInterval: {
      value: 10_000,
      unit: "ms",
      reason: "Fixed: a lost Redis connection is logged at most this often, not once per retry.",
    },
    healthProbeLifetime: {
      value: 60_000,
      unit: "ms",
      reason: "Fixed: the health check's write probe key expires by itself.",
    },
  },
  database: {
    timeout: {
      value: 2000,
      unit: "ms",
      env: { name: "DATABASE_TIMEOUT_MS", min: 100, max: 30_000 },
      reason: "Deadline for every database query; past it the request fails closed (503).",
    },
    sessionCheckCache: {
      value: 15,
      unit: "s",
      reason:
        "Fixed: how long an instance trusts its last look at a session row; a session ended elsewhere stops within this.",
    },
    sessionSeenInterval: {
      value: 300,
      unit: "s",
      reason: 'Fixed: a session\'s "last seen" is written at most this often, not on every request.',
    },
  },
  events: {
    capacity: {
      value: 100_000,
      unit: "events",
      env: { name: "THROTTLE_EVENT_CAPACITY", min: 1000, max: 1_000_000 },
      reason: "Throttle events kept (newest): the log is capped, whatever an attack sends.",
    },
    phoneRetention: {
      value: 168,
      unit: "h",
      env: { name: "THROTTLE_PHONE_RETENTION_HOURS", min: 0, max: 24 * 365 },
      reason: "How long throttle events keep the full number (shown only by the audited reveal).",
    },
    flushAfter: {
      value: 250,
      unit: "ms",
      reason: "Fixed: refusals are written in batches at most this old; a crash loses at most one batch.",
    },
    flushAtEvents: {
      value: 200,
      unit: "events",
      reason:
        "Fixed: a batch is written at this many refusals: one store round trip per batch, not per refusal.",
    },
    minuteCountsKept: {
      value: 48 * 60 * 60,
      unit: "s",
      reason: "Fixed: per-minute refusal counts kept for the console's charts.",
    },
    hourCountsKept: {
      value: 35 * 24 * 60 * 60,
      unit: "s",
      reason: "Fixed: per-hour refusal counts kept, a month and some.",
    },
    topSourcesKept: {
      value: 8 * 24 * 60 * 60,
      unit: "s",
      reason: "Fixed: per-hour top sources kept, a week and a day.",
    },
    topShown: {
      value: 10,
      unit: "entries",
      reason: "Fixed: top sources the console shows per dimension (address, network, prefix, country).",
    },
    topKeptPerHour: {
      value: 100,
      unit: "entries",
      reason:
        "Fixed: top sources counted per dimension per hour; keeps the top 10 exact and Redis's compact zset encoding.",
    },
    maxScannedPerPage: {
      value: 5000,
      unit: "events",
      reason: "Fixed: stored events one list call reads at most, so a rare filter cannot make it unbounded.",
    },
    scanBatch: {
      value: 500,
      unit: "events",
      reason: "Fixed: stored events read from Redis per round trip while listing.",
    },
    clockSlack: {
      value: 60_000,
      unit: "ms",
      reason:
        "Fixed: time filters widen the stream's id range by this, since ids are Redis's clock, not the app's.",
    },
  },
  fraud: {
    window: {
      value: 3600,
      unit: "s",
      reason:
        "Fixed: the trailing window in which a level's unverified sends are counted against its verified ones.",
    },
    rangeFloor: {
      value: 10,
      unit: "sends",
      env: { name: "FRAUD_RANGE_FLOOR", min: 1, max: 100_000 },
      reason:
        "Unverified sends a number range may have in the window whatever its conversion: a ring concentrated in one range gets this many SMS at most before the range is blocked.",
    },
    countryFloor: {
      value: 30,
      unit: "sends",
      env: { name: "FRAUD_COUNTRY_FLOOR", min: 1, max: 1_000_000 },
      reason:
        "Unverified sends a destination country may have in the window whatever its conversion: what a ring spread over a quiet country gets at most.",
    },
    dayWindow: {
      value: 86400,
      unit: "s",
      reason:
        "Fixed: the second, daily window of each level's budget, so a ring pacing itself under the hourly floor meets a daily one.",
    },
    rangeDayFloor: {
      value: 30,
      unit: "sends",
      env: { name: "FRAUD_RANGE_DAY_FLOOR", min: 1, max: 1_000_000 },
      reason:
        "Unverified sends a number range may have in a day whatever its conversion (3 hours of its hourly floor).",
    },
    countryDayFloor: {
      value: 100,
      unit: "sends",
      env: { name: "FRAUD_COUNTRY_DAY_FLOOR", min: 1, max: 10_000_000 },
      reason:
        "Unverified sends a country may have in a day whatever its conversion: what a patient ring gets at most.",
    },
    rangeSlack: {
      value: 2,
      unit: "×",
      env: { name: "FRAUD_RANGE_SLACK", min: 1, max: 20 },
      reason:
        "How many times its normal share of unverified sends a number range may have (at 75% conversion 1/3 unverified per verified: 2× allows 2/3); tighter than a country's, since a range's few sends make its counts noisy.",
    },
    countrySlack: {
      value: 3,
      unit: "×",
      env: { name: "FRAUD_COUNTRY_SLACK", min: 1, max: 20 },
      reason:
        "How many times its normal share of unverified sends a country may have (3× allows one unverified per verified at 75%): room for codes still being typed.",
    },
    maxRatio: {
      value: 3,
      unit: "×",
      reason:
        "Fixed: unverified per verified send allowed at most, so a baseline poisoned by a ring cannot open a level wide.",
    },
    defaultConversion: {
      value: 75,
      unit: "%",
      reason:
        "Fixed: the conversion assumed until a level has a baseline (real people enter 70–90% of their codes).",
    },
    baseline: {
      value: 14 * 86400,
      unit: "s",
      reason: "Fixed: the trailing period a level's own conversion is learned from.",
    },
    baselineMinSends: {
      value: 200,
      unit: "sends",
      reason: "Fixed: sends a level needs in its baseline before its own conversion replaces the default.",
    },
    rangeDigits: {
      value: 3,
      unit: "digits",
      reason:
        "Fixed: national digits after the calling code that make a number range (+62 812…); NUMBER_RANGE_DIGITS sets them per country.",
    },
    firstBlock: {
      value: 900,
      unit: "s",
      reason: "Fixed: a level whose conversion collapses at volume is blocked this long the first time…",
    },
    blockGrowth: {
      value: 4,
      unit: "×",
      reason:
        "Fixed: …and each further time within the strike memory this many times longer (15 min, 1 h, 4 h, 16 h)…",
    },
    longestBlock: {
      value: 86400,
      unit: "s",
      reason: "Fixed: …at most this long.",
    },
    strikeMemory: {
      value: 86400,
      unit: "s",
      reason: "Fixed: a level with no block for this long starts again from the first, shortest block.",
    },
  },
  spend: {
    globalHour: {
      value: 200_000,
      unit: "mills",
      reason:
        "Fixed: the default budget of estimated SMS spend per hour in total (1000 mills = 1 USD); SPEND_BUDGETS_USD global.hour overrides it.",
    },
    globalDay: {
      value: 2_000_000,
      unit: "mills",
      reason:
        "Fixed: the default budget of estimated SMS spend per day in total; SPEND_BUDGETS_USD global.day overrides it.",
    },
    countryHour: {
      value: 100_000,
      unit: "mills",
      reason:
        "Fixed: the default budget of estimated SMS spend per hour to one country; SPEND_BUDGETS_USD country.hour overrides it.",
    },
    countryDay: {
      value: 1_000_000,
      unit: "mills",
      reason:
        "Fixed: the default budget of estimated SMS spend per day to one country; SPEND_BUDGETS_USD country.day overrides it.",
    },
    defaultPrice: {
      value: 100,
      unit: "mills",
      reason:
        "Fixed: the estimated price of an SMS to a country missing from the price table (0.10 USD); SMS_PRICES_USD adds countries.",
    },
  },
  alerts: {
    queueCapacity: {
      value: 100,
      unit: "alerts",
      env: { name: "ALERT_QUEUE_CAPACITY", min: 1, max: 10_000 },
      reason: "Alerts waiting for delivery per instance; beyond it the oldest is dropped and counted.",
    },
    maxAttempts: {
      value: 5,
      unit: "tries",
      env: { name: "ALERT_MAX_ATTEMPTS", min: 1, max: 10 },
      reason: "Deliveries of one alert before it is marked failed (network errors, 5xx and 429 are retried).",
    },
    attemptTimeout: {
      value: 5000,
      unit: "ms",
      reason: "Fixed: one delivery attempt waits this long for the receiver's answer.",
    },
    backoffBase: {
      value: 1000,
      unit: "ms",
      reason: "Fixed: the first retry's wait; each retry doubles it, half of it random.",
    },
    backoffMax: {
      value: 30_000,
      unit: "ms",
      reason: "Fixed: the longest wait between two attempts.",
    },
    retryAfterCap: {
      value: 60_000,
      unit: "ms",
      reason:
        "Fixed: a receiver's Retry-After is respected up to this, so one receiver cannot park the queue.",
    },
    recordsKept: {
      value: 500,
      unit: "entries",
      reason: "Fixed: delivery records kept for the console (a capped list in the store).",
    },
    signatureTolerance: {
      value: 300,
      unit: "s",
      reason: "Fixed: how old a signed timestamp a receiver should accept (documented for receivers).",
    },
  },
  server: {
    drainWithin: {
      value: 7000,
      unit: "ms",
      reason:
        "Fixed: on SIGTERM, requests under way get this long to finish (lib/node-server.mjs keeps a checked copy).",
    },
    exitWithin: {
      value: 10_000,
      unit: "ms",
      reason: "Fixed: the process exits within this after SIGTERM, the 10 s Docker allows before SIGKILL.",
    },
  },
  numberLookup: {
    cacheLifetime: {
      value: 30 * 24 * 60 * 60,
      unit: "s",
      reason:
        "Fixed: how long 8x8's answer for a number is reused by every instance; line types rarely change.",
    },
    price: {
      value: 5000,
      unit: "micro-USD",
      env: { name: "NUMBER_LOOKUP_PRICE_MICRO_USD", min: 0, max: 1_000_000 },
      reason:
        "An example price of one paid (`operator` or `live`) lookup, for the cost estimate; use your 8x8 price. `format` lookups are free.",
    },
    countsKept: {
      value: 35 * 24 * 60 * 60,
      unit: "s",
      reason: "Fixed: hourly lookup counts kept for the console, a month and some (one key per hour).",
    },
  },
  traffic: {
    countryMinutesKept: {
      value: 2 * 60 * 60,
      unit: "s",
      reason:
        "Fixed: per-minute sends, verified codes and spend per country kept: the console's last hour, and one more.",
    },
    rangesKeptPerHour: {
      value: 100,
      unit: "entries",
      reason:
        "Fixed: number ranges counted per hour (those with the most sends, Space-Saving): any range can be new, so the set is capped.",
    },
    rangesShown: {
      value: 20,
      unit: "entries",
      reason: "Fixed: number ranges the fraud console lists, those with the most sends in the last 24 hours.",
    },
  },
  backtest: {
    recordsKept: {
      value: 200_000,
      unit: "entries",
      reason:
        "Fixed: sends and verified codes kept (newest) for backtests, ~150 bytes each: two weeks of ~10 000 sends a day, capped whatever an attack sends.",
    },
    longestReplay: {
      value: 14 * 86400,
      unit: "s",
      reason: "Fixed: the longest history a backtest replays (the baseline of a conversion budget).",
    },
  },
} as const satisfies Record<string, Record<string, Setting>>;

/** A setting's default as the README writes it: "5 min", "250 ms", "4096 bytes", "/64". */
export function formatSetting({ value, unit }: Setting): string {
  switch (unit) {
    case "s":
      return formatWindow(value);
    case "min":
      return formatWindow(value * 60);
    case "h":
      return formatWindow(value * 3600);
    case "bits":
      return `/${value}`;
    case "×":
      return `${value}×`;
    case "ms":
      return value % 1000 === 0 ? formatWindow(value / 1000) : `${value} ms`;
    default:
      return `${value} ${value === 1 ? unit.replace(/s$/, "") : unit}`;
  }
}

/**
 * Every rate limit, with its documented default. The README's "Limits" table is checked against
 * this object by a test, so the two cannot drift. Override any of them with
 * `RATE_LIMITS="send.ip=10/15m,send.phone=5/1h"` (count / window in s, m, h or d).
 *
 * Each limit is its own bucket: an address and a number are never combined into one key, so an
 * attacker rotating numbers still exhausts their address, and one rotating addresses still
 * exhausts the number.
 */
export const defaultLimits = {
  "send.ip": {
    limit: 5,
    windowSeconds: 15 * 60,
    scope: "Codes sent to any numbers from one client address (IPv6: one /64)",
  },
  "send.subnet": {
    limit: 20,
    windowSeconds: 60 * 60,
    scope: "Codes sent from one /24 (IPv4) or /48 (IPv6) network",
  },
  "send.phone": { limit: 3, windowSeconds: 15 * 60, scope: "Codes sent to one phone number" },
  "send.phone.day": {
    limit: 10,
    windowSeconds: 24 * 60 * 60,
    scope: "Codes sent to one phone number per day",
  },
  "send.prefix": {
    limit: 10,
    windowSeconds: 60 * 60,
    scope: "Codes sent to one number prefix (E.164 without its last 4 digits)",
  },
  "send.country": { limit: 500, windowSeconds: 60 * 60, scope: "Codes sent to one destination country" },
  "send.global.hour": { limit: 2000, windowSeconds: 60 * 60, scope: "Codes sent in total (circuit breaker)" },
  "send.global.day": {
    limit: 20000,
    windowSeconds: 24 * 60 * 60,
    scope: "Codes sent in total per day (circuit breaker)",
  },
  "send.phone.reserve": {
    limit: 3,
    windowSeconds: 24 * 60 * 60,
    scope: "Extra codes to a number for a browser that signed in with it before, once its budget is spent",
  },
  "verify.pending": {
    limit: 5,
    windowSeconds: 60 * 60,
    scope: "Code checks for one pending verification (as 8x8)",
  },
  "verify.phone": {
    limit: 10,
    windowSeconds: 60 * 60,
    scope: "Code checks for one number, across resends; a success resets it",
  },
  "verify.phone.total": {
    limit: 100,
    windowSeconds: 7 * 24 * 60 * 60,
    scope: "Consecutive code checks for one number without a success (NIST SP 800-63B cap)",
  },
  "verify.phone.reserve": {
    limit: 10,
    windowSeconds: 60 * 60,
    scope:
      "Code checks for a browser that signed in with the number before, once the number's budgets are spent",
  },
  "verify.ip": { limit: 30, windowSeconds: 60 * 60, scope: "Code checks from one client address" },
  "passkey.ip": {
    limit: 30,
    windowSeconds: 15 * 60,
    scope: "Passkey requests (prompts and answers) from one client address (IPv6: one /64)",
  },
  "passkey.subnet": {
    limit: 120,
    windowSeconds: 60 * 60,
    scope: "Passkey requests from one /24 (IPv4) or /48 (IPv6) network",
  },
  "captcha.challenge.ip": {
    limit: 30,
    windowSeconds: 60,
    scope: "CAPTCHA challenges handed to one client address (IPv6: one /64)",
  },
  "captcha.challenge.subnet": {
    limit: 30,
    windowSeconds: 60,
    scope: "CAPTCHA challenges handed to one /24 (IPv4) or /48 (IPv6) network",
  },
  "captcha.challenge.global": {
    limit: 600,
    windowSeconds: 60,
    scope: "CAPTCHA challenges handed out in total (circuit breaker)",
  },
} as const;

export type LimitName = keyof typeof defaultLimits;

/**
 * The growing delays, one per number (8x8's "exponential back-off between repeated OTP requests"):
 * after `freeCount` hits each further hit waits `base × 2^(hits − freeCount)`, at most `max`, and
 * the count is forgotten `memory` after the last hit or when the number signs in.
 */
export const growingDelays = {
  /** Between codes to one number: 30 s, 60 s, 120 s … an hour (base: OTP_RESEND_INTERVAL_SECONDS). */
  resend: {
    freeCount: config.resendDelay.freeSends.value,
    maxSeconds: config.resendDelay.max.value,
    memorySeconds: config.resendDelay.memory.value,
  },
  /** Between code checks for one number after five (one 8x8 session's worth): 1 s, 2 s … a minute. */
  check: {
    baseSeconds: config.checkDelay.base.value,
    freeCount: config.checkDelay.freeChecks.value,
    maxSeconds: config.checkDelay.max.value,
    memorySeconds: config.checkDelay.memory.value,
  },
} as const;

/**
 * The conservative default: countries with mature numbering plans and little SMS-pumping history,
 * where most of this template's users are. Set ALLOWED_COUNTRIES to the countries you serve
 * (lib/defenses/destination-policy.ts refuses the others).
 */
export const defaultAllowedCountries = [
  "AT",
  "AU",
  "BE",
  "CA",
  "CH",
  "CZ",
  "DE",
  "DK",
  "ES",
  "FI",
  "FR",
  "GB",
  "IE",
  "IS",
  "IT",
  "JP",
  "KR",
  "LU",
  "NL",
  "NO",
  "NZ",
  "PL",
  "PT",
  "SE",
  "SG",
  "US",
] as const;

export type LimitSetting = { limit: number; windowSeconds: number };
export type Limits = Record<LimitName, LimitSetting>;

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `RATE_LIMITS`; throws with the offending entry on any mistake. */
export function parseLimitOverrides(text: string | undefined): Limits {
  const limits = Object.fromEntries(
    Object.entries(defaultLimits).map(([name, { limit, windowSeconds }]) => [name, { limit, windowSeconds }]),
  ) as Limits;
  for (const entry of (text ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([a-z.]+)=(\d{1,7})\/(\d{1,5})([smhd])$/.exec(entry);
    if (!match || !(match[1]! in limits)) {
      throw new Error(
        `RATE_LIMITS entry "${entry}" must look like send.ip=5/15m, with one of: ${Object.keys(defaultLimits).join(", ")}`,
      );
    }
    const windowSeconds = Number(match[3]) * units[match[4]!]!;
    if (Number(match[2]) < 1 || windowSeconds < 1 || windowSeconds > 7 * 86400) {
      throw new Error(`RATE_LIMITS entry "${entry}" needs a count of at least 1 and a window of 1 s to 7 d`);
    }
    limits[match[1] as LimitName] = { limit: Number(match[2]), windowSeconds };
  }
  return limits;
}

/** "15 min", "1 h", "1 day": how the README and the admin policy view write a window. */
export function formatWindow(seconds: number): string {
  if (seconds % 86400 === 0) return seconds === 86400 ? "1 day" : `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * Example prices of one verification SMS per destination country, in USD: illustrative figures in
 * the range of public A2P SMS rate cards (late 2026), not 8x8's quote. Replace them with your own
 * 8x8 rate card (8x8 Connect → Pricing) in SMS_PRICES_USD; a country not listed costs
 * `spend.defaultPrice`.
 */
export const exampleSmsPricesUsd: Record<string, number> = {
  AU: 0.05,
  CA: 0.01,
  DE: 0.09,
  FR: 0.08,
  GB: 0.04,
  ID: 0.3,
  IN: 0.004,
  JP: 0.07,
  MY: 0.04,
  NL: 0.09,
  PH: 0.2,
  SG: 0.04,
  TH: 0.03,
  US: 0.01,
  VN: 0.07,
};

/** Parses `COUNTRY=number,…` (e.g. `ID=0.30,SG=0.04`); throws with the offending entry. */
export function parseCountryNumbers(
  name: string,
  text: string | undefined,
  { min, max, integer }: { min: number; max: number; integer?: boolean },
): Record<string, number> {
  const values: Record<string, number> = {};
  for (const entry of (text ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([A-Z]{2})=(\d+(?:\.\d+)?)$/.exec(entry);
    const value = Number(match?.[2]);
    if (!match || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new Error(
        `${name} entry "${entry}" must look like SG=${integer ? 3 : 0.04}, between ${min} and ${max}`,
      );
    }
    values[match[1]!] = value;
  }
  return values;
}

export const spendBudgetNames = ["global.hour", "global.day", "country.hour", "country.day"] as const;
export type SpendBudgetName = (typeof spendBudgetNames)[number];

/** Parses SPEND_BUDGETS_USD (`global.hour=200,country.day=1000`) over the defaults, into mills. */
export function parseSpendBudgets(text: string | undefined): Record<SpendBudgetName, number> {
  const budgets: Record<SpendBudgetName, number> = {
    "global.hour": config.spend.globalHour.value,
    "global.day": config.spend.globalDay.value,
    "country.hour": config.spend.countryHour.value,
    "country.day": config.spend.countryDay.value,
  };
  for (const entry of (text ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([a-z.]+)=(\d+(?:\.\d+)?)$/.exec(entry);
    if (!match || !(spendBudgetNames as readonly string[]).includes(match[1]!) || Number(match[2]) <= 0) {
      throw new Error(
        `SPEND_BUDGETS_USD entry "${entry}" must look like global.hour=200 (USD), with one of: ${spendBudgetNames.join(", ")}`,
      );
    }
    budgets[match[1] as SpendBudgetName] = Math.round(Number(match[2]) * 1000);
  }
  return budgets;
}
