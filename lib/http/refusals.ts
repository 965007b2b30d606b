import type { LimitName } from "@/lib/config";
import type { RefusalMessageKey } from "@/lib/i18n";

/**
 * Every refusal of the public API, by rule name: its error code (and so its HTTP status), the
 * message a person reads (a key of the message catalogues, lib/i18n/messages/: the answer is in
 * the request's language), the field it belongs to, and one line for operators (the README's
 * "Refusals" table and the console's rule picker are checked against this table). Throw sites
 * name an entry (`refusal("limit.send.ip")`), never write a sentence. Isomorphic: the admin
 * console's forms import the names.
 *
 * What a refusal tells a client is deliberately coarse: every limit answers the same `429` and
 * message; only the throttle event names the rule.
 */

/** The error codes of the public HTTP API, each with its one HTTP status. */
export const statusByCode = {
  bad_request: 400,
  invalid_phone: 400,
  code_invalid: 400,
  no_pending_verification: 400,
  unauthorized: 401,
  forbidden: 403,
  captcha_failed: 403,
  destination_blocked: 403,
  not_found: 404,
  method_not_allowed: 405,
  code_superseded: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof statusByCode;

export type Refusal = {
  code: ErrorCode;
  /** The sentence, by its key in every language's catalogue (`refusals` section). */
  message: RefusalMessageKey;
  /** The form field the message belongs to. */
  field?: "phone" | "code";
  /** For operators: what this rule refuses. */
  summary: string;
};

const captcha = (summary: string): Refusal => ({
  code: "captcha_failed",
  message: "completeVerification",
  summary,
});
const spend = (summary: string): Refusal => ({
  code: "rate_limited",
  message: "tooMuchSpend",
  summary,
});
const sendLimit = (summary: string): Refusal => ({
  code: "rate_limited",
  message: "tooManySends",
  summary,
});
const checkLimit = (summary: string): Refusal => ({
  code: "rate_limited",
  message: "tooManyChecks",
  summary,
});
const challengeLimit = (summary: string): Refusal => ({
  code: "rate_limited",
  message: "tooManyChallenges",
  summary,
});
const destination = (summary: string, message: RefusalMessageKey = "cantSendThere"): Refusal => ({
  code: "destination_blocked",
  message,
  field: "phone",
  summary,
});
const lineType = (type: string): Refusal =>
  destination(`A ${type} number (libphonenumber's line type)`, "notMobile");
const lookedUp = (type: string): Refusal =>
  destination(`A ${type} number by 8x8 Number Lookup (a number in doubt)`, "notMobile");
const outage = (summary: string): Refusal => ({ code: "unavailable", message: "outage", summary });

export const refusals = {
  // Request hygiene: before anything is read.
  "hygiene.method": {
    code: "method_not_allowed",
    message: "methodNotAllowed",
    summary: "An HTTP method the endpoint does not support",
  },
  "hygiene.cross_site": {
    code: "forbidden",
    message: "crossSite",
    summary: "A POST from another site (Sec-Fetch-Site / Origin)",
  },
  "hygiene.media_type": {
    code: "unsupported_media_type",
    message: "mediaType",
    summary: "A body that is not JSON",
  },
  "hygiene.body_size": {
    code: "payload_too_large",
    message: "bodySize",
    summary: "A body over the size cap",
  },
  "hygiene.malformed_json": {
    code: "bad_request",
    message: "malformedJson",
    summary: "A body that does not parse",
  },
  "hygiene.body_shape": {
    code: "bad_request",
    message: "bodyShape",
    summary: "A body of the wrong shape",
  },
  "hygiene.no_route": {
    code: "not_found",
    message: "noSuchEndpoint",
    summary: "A path under /api that no endpoint answers",
  },
  "validation.phone": {
    code: "invalid_phone",
    message: "invalidPhone",
    field: "phone",
    summary: "A number libphonenumber does not accept",
  },
  "validation.code": {
    code: "code_invalid",
    message: "invalidCode",
    field: "code",
    summary: "A code of the wrong form (never spends an attempt)",
  },

  // The sender.
  client_ip: {
    code: "forbidden",
    message: "notAccepted",
    summary: "No trustworthy client address (see Client IP and proxies)",
  },
  "block.ip": {
    code: "forbidden",
    message: "notAccepted",
    summary: "An operator's block of the address (IPv6: its /64)",
  },
  "block.subnet": {
    code: "forbidden",
    message: "notAccepted",
    summary: "An operator's block of a network containing the address",
  },

  // The destination.
  "destination.country_unknown": destination("A number of no known country", "notMobile"),
  "destination.country": destination(
    "A country outside ALLOWED_COUNTRIES, or in DENIED_COUNTRIES",
    "cantSendToCountries",
  ),
  "destination.line_type.fixed_line": lineType("landline"),
  "destination.line_type.voip": lineType("VoIP (ALLOW_VOIP=false)"),
  "destination.line_type.premium_rate": lineType("premium-rate"),
  "destination.line_type.toll_free": lineType("toll-free"),
  "destination.line_type.shared_cost": lineType("shared-cost"),
  "destination.line_type.personal_number": lineType("personal"),
  "destination.line_type.pager": lineType("pager"),
  "destination.line_type.uan": lineType("UAN"),
  "destination.line_type.voicemail": lineType("voicemail"),
  "destination.line_type.unknown": destination("A number libphonenumber cannot classify", "notMobile"),
  // 8x8 Number Lookup's answer for a number in doubt (lib/defenses/number-lookup.ts): the same
  // message as above, its own rules so operators see which source classified the number.
  "lookup.line_type.fixed_line": lookedUp("landline"),
  "lookup.line_type.voip": lookedUp("VoIP (ALLOW_VOIP=false)"),
  "lookup.line_type.premium_rate": lookedUp("premium-rate"),
  "lookup.line_type.toll_free": lookedUp("toll-free"),
  "lookup.line_type.shared_cost": lookedUp("shared-cost"),
  "lookup.line_type.personal_number": lookedUp("personal"),
  "lookup.line_type.pager": lookedUp("pager"),
  "lookup.line_type.uan": lookedUp("UAN"),
  "lookup.line_type.voicemail": lookedUp("voicemail"),
  "lookup.line_type.unknown": lookedUp("unclassified or unreadable"),
  "block.phone": destination("An operator's block of the number"),
  "block.prefix": destination("An operator's block of a prefix of the number"),
  "block.country": destination("An operator's block of the destination country"),

  // The CAPTCHA.
  "captcha.missing": captcha("No CAPTCHA solution"),
  "captcha.malformed": captcha("A CAPTCHA payload that does not decode"),
  "captcha.invalid": captcha("A wrong or forged solution"),
  "captcha.expired": captcha("A challenge past its lifetime"),
  "captcha.replayed": captcha("A solution used before (single use)"),
  "captcha.outdated": captcha("A cheap solution bought before attack mode raised the price"),
  "captcha.honeypot": captcha("The hidden field people never fill in"),
  "captcha.hostname": captcha("A Turnstile/hCaptcha token for another hostname"),
  "captcha.action": captcha("A Turnstile token for another action"),
  "captcha.not_altcha": {
    code: "not_found",
    message: "notAltcha",
    summary: "A challenge asked of a deployment on Turnstile or hCaptcha",
  },
  "captcha.provider_unavailable": {
    code: "unavailable",
    message: "captchaUnavailable",
    summary: "Turnstile/hCaptcha siteverify did not answer",
  },

  // Limits of sending (lib/config.ts has each one's budget).
  "limit.send.ip": sendLimit("Codes sent from one address (IPv6: one /64)"),
  "limit.send.subnet": sendLimit("Codes sent from one /24 or /48"),
  "cooldown.phone": sendLimit("The number's growing delay between codes"),
  "limit.send.phone": sendLimit("Codes sent to one number"),
  "limit.send.phone.day": sendLimit("Codes sent to one number per day"),
  "limit.send.prefix": sendLimit("Codes sent to one number prefix"),
  "limit.send.phone.reserve": sendLimit("A returning browser's reserve for its number"),
  "limit.send.country": sendLimit("Codes sent to one country"),
  "limit.send.global.hour": sendLimit("Codes sent in total per hour (circuit breaker)"),
  "limit.send.global.day": sendLimit("Codes sent in total per day (circuit breaker)"),

  // Fraud budgets: conversion per number range and country, and money.
  "fraud.range": sendLimit(
    "A number range whose unverified sends outgrew its verified ones, or that is auto-blocked",
  ),
  "fraud.country": sendLimit(
    "A country whose unverified sends outgrew its verified ones, or that is auto-blocked",
  ),
  "spend.country.hour": spend("Estimated SMS spend to one country per hour"),
  "spend.country.day": spend("Estimated SMS spend to one country per day"),
  "spend.global.hour": spend("Estimated SMS spend in total per hour"),
  "spend.global.day": spend("Estimated SMS spend in total per day"),

  // Limits of checking.
  "limit.verify.ip": checkLimit("Code checks from one address"),
  "limit.verify.pending": checkLimit("Code checks for one pending verification"),
  "limit.verify.phone": checkLimit("Code checks for one number"),
  "limit.verify.phone.total": checkLimit("Consecutive failed checks for one number (NIST cap)"),
  "limit.verify.phone.reserve": checkLimit("A returning browser's reserve of checks"),
  "verify.delay": checkLimit("The number's growing delay between checks"),

  // Limits of CAPTCHA challenges.
  "limit.captcha.challenge.ip": challengeLimit("Challenges handed to one address"),
  "limit.captcha.challenge.subnet": challengeLimit("Challenges handed to one network"),
  "limit.captcha.challenge.global": challengeLimit("Challenges handed out in total"),

  // The code.
  "code.no_pending_verification": {
    code: "no_pending_verification",
    message: "noPendingVerification",
    summary: "No pending verification in this browser (or it ended)",
  },
  "code.superseded": {
    code: "code_superseded",
    message: "superseded",
    summary: "A newer send to the number replaced this browser's code",
  },
  "code.wrong_or_expired": {
    code: "code_invalid",
    message: "wrongOrExpired",
    field: "code",
    summary: "8x8 did not accept the code",
  },
  "code.attempts_exhausted": {
    code: "rate_limited",
    message: "attemptsExhausted",
    summary: "8x8 ended the session after its wrong attempts",
  },

  // 8x8.
  "provider.resend_too_soon": sendLimit("8x8's own resend interval"),
  "provider.rate_limited": sendLimit("8x8's own rate limit"),
  "provider.invalid_number": {
    code: "invalid_phone",
    message: "providerInvalidNumber",
    field: "phone",
    summary: "8x8 could not read the number",
  },
  "provider.unexpected_session": outage("8x8 answered a send with a session that is not waiting"),
  "provider.unauthorized": outage("8x8 refused our API key"),
  "provider.misconfigured": outage("8x8 refused our account's configuration"),
  "provider.invalid_request": outage("8x8 refused our request as malformed"),
  "provider.invalid_number_on_check": outage("8x8 could not read the number of a check"),
  "provider.not_found": outage("8x8 no longer knows the session"),
  "provider.unavailable": outage("8x8 did not answer in time"),
  "lookup.unavailable": outage("8x8 Number Lookup failed for a number in doubt: fail closed"),

  // Passkeys (lib/passkeys): the prompts, the answers and whose passkey it is.
  "limit.passkey.ip": challengeLimit("Passkey prompts and answers from one address"),
  "limit.passkey.subnet": challengeLimit("Passkey prompts and answers from one network"),
  "passkey.signed_out": {
    code: "unauthorized",
    message: "passkeySignedOut",
    summary: "A passkey request that needs a session, without one",
  },
  "passkey.no_challenge": {
    code: "bad_request",
    message: "passkeyNoChallenge",
    summary: "A passkey answer from a browser that asked for no prompt (no challenge cookie)",
  },
  "passkey.challenge_expired": {
    code: "bad_request",
    message: "passkeyChallengeExpired",
    summary: "A passkey answer to a challenge that expired, was used, or was made for another purpose",
  },
  "passkey.unknown": {
    code: "bad_request",
    message: "passkeyUnknown",
    summary: "A passkey no account here has (removed, or made for another deployment)",
  },
  "passkey.other_account": {
    code: "forbidden",
    message: "passkeyOtherAccount",
    summary: "A confirmation with another account's passkey",
  },
  "passkey.invalid": {
    code: "bad_request",
    message: "passkeyInvalid",
    summary: "A passkey answer SimpleWebAuthn did not verify (signature, challenge, format)",
  },
  "passkey.origin": {
    code: "forbidden",
    message: "passkeyOrigin",
    summary: "A passkey answer for another origin or RP ID (phishing, or a misconfigured AUTH_URL)",
  },
  "passkey.user_verification": {
    code: "bad_request",
    message: "passkeyUserVerification",
    summary: "A passkey answer without user verification",
  },
  "passkey.counter": {
    code: "forbidden",
    message: "passkeyCounter",
    summary: "A signature counter that did not grow (a cloned authenticator, or a replayed answer)",
  },
  "passkey.already_registered": {
    code: "conflict",
    message: "passkeyAlreadyRegistered",
    summary: "A registration of a credential that is registered already",
  },
  "passkey.too_many": {
    code: "conflict",
    message: "passkeyTooMany",
    summary: "A registration beyond `passkeys.maxPerAccount`",
  },
  "passkey.not_found": {
    code: "not_found",
    message: "passkeyNotFound",
    summary: "A rename or removal of a passkey the account does not have",
  },
  "passkey.admin_enrollment_required": {
    code: "forbidden",
    message: "passkeyAdminEnrollmentRequired",
    summary: "An admin account adding a passkey without an enrollment link or a confirmed passkey",
  },
  "passkey.enrollment_invalid": {
    code: "forbidden",
    message: "passkeyEnrollmentInvalid",
    summary: "An enrollment link for another number, expired, forged or used",
  },
  "passkey.not_enrolled_for_admin": {
    code: "forbidden",
    message: "passkeyNotEnrolledForAdmin",
    summary: "An admin signing in or confirming with a passkey not enrolled for admin use",
  },
  "passkey.confirm_required": {
    code: "forbidden",
    message: "passkeyConfirmRequired",
    summary: "An admin account removing a passkey without a recent passkey confirmation",
  },

  // Our own parts.
  store_unavailable: outage("The store (Redis/Upstash) did not answer: fail closed"),
  database_unavailable: outage("The database (accounts, sessions) did not answer: fail closed"),
  "auth.session_not_issued": {
    code: "unavailable",
    message: "sessionNotIssued",
    summary: "Auth.js issued no session (AUTH_URL / AUTH_TRUST_HOST)",
  },
} satisfies Record<string, Refusal>;

export type RuleName = keyof typeof refusals;

// Every configured limit has its refusal (a limit added to config without one fails to compile).
void (refusals satisfies Record<`limit.${LimitName}`, Refusal>);

/** The rule families, for filters: `captcha` matches `captcha.*`. */
export function ruleFamily(rule: string): string {
  return rule.includes(".") ? rule.slice(0, rule.indexOf(".")) : rule;
}

export function isRuleName(value: string): value is RuleName {
  return Object.hasOwn(refusals, value);
}
