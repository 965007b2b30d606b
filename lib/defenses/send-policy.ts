import "server-only";
import type { NextRequest } from "next/server";
import type { IpRateLimitKeys } from "@/lib/client-ip/strategies";
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { AppError, refusal } from "@/lib/http/errors";
import {
  noteDestination,
  recordAlongside,
  requireClientIp,
  type RequestContext,
} from "@/lib/http/public-route";
import type { RuleName } from "@/lib/http/refusals";
import type { SendRequest } from "@/lib/api/otp";
import { parsePhone, type Destination } from "@/lib/phone";
import { newIssuanceClaim } from "@/lib/sign-in/pending-verification";
import { isKnownDevice, KNOWN_DEVICE_COOKIE_NAME } from "@/lib/sign-in/known-device";
import {
  screenCaptcha,
  turnOnAttackMode,
  verifyCaptcha,
  type CaptchaClaim,
  type ScreenedCaptcha,
} from "./captcha";
import { screenDestination } from "./destination-policy";
import { noteAdmitted, noteTrip } from "./trip-alerts";
import { lookupWhenInDoubt, numberLookupRefusals } from "./number-lookup";
import { confirmRulesRefusal, decideSendBudgets, refuseSpentSender, type DecisionReport } from "./limits";
import type { AdminRule } from "@/lib/api/admin";
import { findApplicableRules, rulesAreCurrent, type RulesVerdict } from "./operator-rules";

/**
 * Whether a code may be sent: the ordered guards below, cheapest first, each with the rules it
 * refuses by (their messages: lib/http/refusals.ts; the limits' budgets: lib/config.ts). 8x8 —
 * and its bill — is reached only when all pass. A new rule is a new entry here.
 *
 * The body is read only once the sender is known to be served, and the number parsed only after
 * the CAPTCHA's signature has passed: each costs more than the refusals before it, so a spent
 * sender's body is never read, and the refusal (and throttle event) of a bot that solved nothing
 * names its address, not a number.
 *
 * Store round trips: none up to the limits (the operator rules are this process's copy, read
 * only when they change); the limits are one atomic decision, which also makes the CAPTCHA's
 * single-use claim and the code's ownership claim. So a refused send costs at most one round
 * trip, and an accepted one one before 8x8.
 */
export const sendGuards: readonly SendGuard[] = [
  {
    name: "client address",
    refuses: ["client_ip"],
    check: (attempt) => {
      const { clientIp, ipKeys } = requireClientIp(attempt.context);
      attempt.found.clientIp = clientIp;
      attempt.found.ipKeys = ipKeys;
    },
  },
  {
    // A sender this instance saw refused for its own address budget is refused again with no store
    // access, before anything else is checked: no CAPTCHA, solved or not, would change the answer.
    name: "spent sender",
    refuses: ["limit.send.ip", "limit.send.subnet"],
    check: ({ found }) => refuseSpentSender(found.ipKeys!),
  },
  {
    // Read only for a sender still served: a spent sender's body is never read (reading a JSON
    // body through Next.js's web stream costs more server CPU than every other guard up to the
    // limits). The sign-in page's action hands over its form, read already.
    name: "request body",
    refuses: [
      "hygiene.media_type",
      "hygiene.body_size",
      "hygiene.malformed_json",
      "hygiene.body_shape",
      "validation.phone",
    ],
    check: async (attempt) => {
      attempt.input = await attempt.readInput();
    },
  },
  {
    // A field people never see, filled in only by bots that fill in every field.
    name: "honeypot",
    refuses: ["captcha.honeypot"],
    check: (attempt) => {
      if (inputOf(attempt).website) throw refusal("captcha.honeypot");
    },
  },
  {
    // Present and, for ALTCHA, signed by us, unexpired, at a price still accepted and not seen
    // here before: CPU only, no key derived (the solution is checked below), so a bot without a
    // fresh challenge of ours costs an HMAC at most.
    name: "CAPTCHA signature",
    refuses: [
      "captcha.missing",
      "captcha.malformed",
      "captcha.invalid",
      "captcha.expired",
      "captcha.outdated",
      "captcha.replayed",
    ],
    check: async (attempt) => {
      attempt.found.screenedCaptcha = await screenCaptcha(inputOf(attempt).captcha);
    },
  },
  {
    // libphonenumber's parse, in the request's language: `400 invalid_phone` says what is wrong.
    name: "number",
    refuses: ["validation.phone"],
    check: (attempt) => {
      const { context } = attempt;
      const input = inputOf(attempt);
      const parsed = parsePhone(input.phone, input.country, context.locale);
      // (The catalogue entry puts the message on the `phone` field.)
      if (!parsed.ok) throw refusal("validation.phone", { message: parsed.message });
      attempt.destination = noteDestination(context, parsed.phone.e164);
    },
  },
  {
    name: "destination",
    refuses: [
      "destination.country",
      "destination.country_unknown",
      "destination.line_type.fixed_line",
      "destination.line_type.voip",
      "destination.line_type.premium_rate",
      "destination.line_type.toll_free",
      "destination.line_type.shared_cost",
      "destination.line_type.personal_number",
      "destination.line_type.pager",
      "destination.line_type.uan",
      "destination.line_type.voicemail",
      "destination.line_type.unknown",
    ],
    check: (attempt) => {
      const screening = screenDestination(destinationOf(attempt).phone, getEnv().destinations);
      if (!screening.ok) throw refusal(screening.rule, { text: screening.text });
    },
  },
  {
    // The solution: for ALTCHA one key derivation (once per challenge on this instance), for
    // Turnstile and hCaptcha a call to their siteverify.
    name: "CAPTCHA",
    refuses: [
      "captcha.malformed",
      "captcha.invalid",
      "captcha.hostname",
      "captcha.action",
      "captcha.provider_unavailable",
    ],
    check: async (attempt) => {
      attempt.found.captcha = await verifyCaptcha(
        attempt.found.screenedCaptcha!,
        attempt.request,
        attempt.found.clientIp!,
      );
    },
  },
  {
    name: "operator rules",
    refuses: ["block.ip", "block.subnet", "block.phone", "block.prefix", "block.country"],
    check: async (attempt) => {
      attempt.found.rules = await findApplicableRules(ruleSubject(attempt));
      if (attempt.found.rules.block) await refuseByRule(attempt);
    },
  },
  {
    // 8x8 Number Lookup for a number offline screening cannot vouch for, or in a range this
    // instance saw blocked lately, after the CAPTCHA and the operator rules (only a solved
    // CAPTCHA from a sender we serve may make us pay for a lookup), and before the limits (a
    // refusal spends none of the number's budgets); no I/O for any other number.
    name: "number lookup",
    refuses: numberLookupRefusals,
    check: (attempt) => {
      const destination = destinationOf(attempt);
      return lookupWhenInDoubt(destination, {
        suspicious: isRangeUnderSuspicion(destination.range),
        captcha: attempt.found.captcha ?? null,
      });
    },
  },
  {
    // Every budget at once, atomically (lib/defenses/limits.ts): a refusal spends none of the
    // destination's; an admitted send claims the number's code for this browser.
    name: "limits",
    refuses: [
      "captcha.replayed",
      "captcha.outdated",
      "limit.send.ip",
      "limit.send.subnet",
      "cooldown.phone",
      "limit.send.phone",
      "limit.send.phone.day",
      "limit.send.prefix",
      "fraud.range",
      "fraud.country",
      "limit.send.phone.reserve",
      "limit.send.country",
      "spend.country.hour",
      "spend.country.day",
      "limit.send.global.hour",
      "limit.send.global.day",
      "spend.global.hour",
      "spend.global.day",
    ],
    check: async (attempt) => {
      const { found } = attempt;
      const destination = destinationOf(attempt);
      const issuance = newIssuanceClaim(destination.phone);
      const subject = {
        ipKeys: found.ipKeys!,
        destination,
        knownDevice: await isKnownDevice(
          attempt.request.cookies.get(KNOWN_DEVICE_COOKIE_NAME)?.value,
          destination.phone,
        ),
      };
      for (let tries = 1; ; tries += 1) {
        // Rules that change under every decision: fail closed rather than loop.
        if (tries > 3) throw refusal("store_unavailable");
        const decision = await spendAlerted(destination, () =>
          decideSendBudgets(
            { ...subject, safeListed: found.rules!.safe },
            {
              captcha: found.captcha ?? null,
              rulesCurrent: rulesAreCurrent(found.rules!),
              issuance: issuance.claim,
            },
            (report) => reportDecision(attempt.context, report),
          ),
        );
        if (!decision.stale) {
          noteAdmitted(levelsOf(destination));
          found.pendingId = issuance.pendingId;
          found.abnormalRate = decision.abnormalRate;
          return;
        }
        // An operator changed the rules since this process read them: decide on the new ones.
        found.rules = await findApplicableRules(ruleSubject(attempt), { reload: true });
        if (found.rules.block) await refuseByRule(attempt);
      }
    },
  },
];

/** Reads the body: the JSON API's (`readJsonBody`), or the sign-in page's form, read already. */
export type ReadSendInput = () => SendRequest | Promise<SendRequest>;

export type SendAttempt = {
  request: NextRequest;
  context: RequestContext;
  readInput: ReadSendInput;
  /** The body, once the "request body" guard has read it. */
  input?: SendRequest;
  /** Where the code would go, once the "number" guard has read it. */
  destination?: Destination;
  /** What the guards found, in order. */
  found: {
    clientIp?: string;
    ipKeys?: IpRateLimitKeys;
    screenedCaptcha?: ScreenedCaptcha;
    captcha?: CaptchaClaim | null;
    rules?: RulesVerdict;
    pendingId?: string;
    abnormalRate?: boolean;
  };
};

type SendGuard = {
  name: string;
  /** The rules this guard refuses by, for readers (the README lists them in this order). */
  refuses: readonly RuleName[];
  check: (attempt: SendAttempt) => void | Promise<void>;
};

export type SendDecision = { pendingId: string; clientIp: string; destination: Destination };

/**
 * Runs the send guards in order; throws the first refusal. The decision names the pending
 * verification that now owns the number's code, and the number in E.164.
 */
export async function decideSend(
  request: NextRequest,
  context: RequestContext,
  readInput: ReadSendInput,
): Promise<SendDecision> {
  const attempt: SendAttempt = { request, context, readInput, found: {} };
  for (const guard of sendGuards) {
    // Most guards are synchronous: no microtask for those.
    const checking = guard.check(attempt);
    if (checking) await checking;
  }
  const { pendingId, clientIp, abnormalRate } = attempt.found;
  // Many sends a minute that solved the proof of work and passed every limit means bots that pay
  // for it (rotating addresses and numbers): raise its price, beside the send, not before it.
  if (abnormalRate)
    void turnOnAttackMode().catch((error) => console.error("[otp-shield] attack mode", error));
  return { pendingId: pendingId!, clientIp: clientIp!, destination: destinationOf(attempt) };
}

/** The body the "request body" guard read: the guards after it go by it. */
function inputOf(attempt: SendAttempt): SendRequest {
  if (!attempt.input) throw new Error("send policy: a guard that needs the body runs before it is read");
  return attempt.input;
}

/** The number the "number" guard read: the guards after it go by it. */
function destinationOf(attempt: SendAttempt): Destination {
  if (!attempt.destination)
    throw new Error("send policy: a guard that needs the number runs before it is read");
  return attempt.destination;
}

/**
 * What the limits noticed besides their answer: each automatic block is a throttle event with its
 * evidence, and an alert (lib/alerts); each rule in shadow mode that would have refused, an event.
 */
function reportDecision(context: RequestContext, report: DecisionReport): void {
  for (const rule of report.shadowed) recordAlongside(context, { rule, decision: "shadow" });
  for (const { rule, block } of report.blocked) {
    const evidence = {
      level: block.label,
      sends: block.sends,
      verified: block.verified,
      allowedUnverified: block.allowedUnverified,
      baselineConversion: block.baselineConversion,
      windowSeconds: block.windowSeconds,
      strike: block.strike,
      blockedSeconds: block.blockedSeconds,
    };
    recordAlongside(context, { rule, decision: "auto_block", evidence });
    if (rule === "fraud.range" && context.destination) suspectRange(context.destination.range, block.until);
    noteTrip("auto_block", block.label, evidence, block.until);
  }
}

/**
 * Ranges this instance saw blocked, until their strike memory ends: their numbers are looked up
 * before a send even after the block. Per instance (no store round trip), bounded.
 */
const suspectRanges = new Map<string, number>();
const SUSPECT_RANGES_CAPACITY = 10_000;

function suspectRange(range: string, blockedUntil: number): void {
  if (suspectRanges.size >= SUSPECT_RANGES_CAPACITY) suspectRanges.delete(suspectRanges.keys().next().value!);
  suspectRanges.set(range, blockedUntil + config.fraud.strikeMemory.value * 1000);
}

function isRangeUnderSuspicion(range: string): boolean {
  const until = suspectRanges.get(range);
  if (until === undefined) return false;
  if (until > Date.now()) return true;
  suspectRanges.delete(range);
  return false;
}

/** The levels a send passes, as alerts name them (auto-blocks, then spend budgets). */
function levelsOf({ range, country }: Destination): string[] {
  const spend = ["spend.global.hour all", "spend.global.day all"];
  if (!country) return [`range ${range}`, ...spend];
  return [
    `range ${range}`,
    `country ${country}`,
    `spend.country.hour ${country}`,
    `spend.country.day ${country}`,
    ...spend,
  ];
}

/** A spend budget that refuses trips its alert (once per instance until a send passes again). */
async function spendAlerted<T>(destination: Destination, decide: () => Promise<T>): Promise<T> {
  try {
    return await decide();
  } catch (error) {
    const rule = error instanceof AppError ? error.details.rule : undefined;
    if (rule?.startsWith("spend.")) {
      const scope = rule.startsWith("spend.country") ? (destination.country ?? "all") : "all";
      noteTrip("spend_budget", `${rule} ${scope}`, { rule, scope });
    }
    throw error;
  }
}

function ruleSubject(attempt: SendAttempt) {
  const { phone, country } = destinationOf(attempt);
  return { clientIp: attempt.found.clientIp!, phone, country };
}

/**
 * An operator's block: confirmed current (and the CAPTCHA claimed, one round trip) before it
 * refuses. Addresses are simply not accepted; numbers, prefixes and countries are named.
 */
async function refuseByRule(attempt: SendAttempt): Promise<void> {
  const { found } = attempt;
  const { stale } = await confirmRulesRefusal({
    captcha: found.captcha!,
    rulesCurrent: rulesAreCurrent(found.rules!),
  });
  if (stale) {
    found.rules = await findApplicableRules(ruleSubject(attempt), { reload: true });
    if (!found.rules.block) return;
  }
  throw refusal(blockRule(found.rules!.block!));
}

function blockRule(rule: AdminRule): RuleName {
  return `block.${rule.kind.slice("block-".length)}` as RuleName;
}
