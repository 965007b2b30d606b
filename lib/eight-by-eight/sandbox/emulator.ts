import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { config } from "@/lib/config";

/**
 * A local emulator of 8x8 Verify v2 and Number Lookup (`type=format`), faithful to the
 * published API (see `lib/eight-by-eight/openapi/`) so that the app's real 8x8 client talks to it
 * over HTTP exactly as it would to 8x8. It also keeps an inbox of the messages 8x8 would have
 * sent, and can be told to misbehave so tests can exercise failures.
 *
 * Documented behaviour it follows (https://developer.8x8.com/connect/reference/verify-request-v2):
 * - a request for a destination sooner than `resendingInterval` after the previous one sends
 *   nothing and gets 403;
 * - while a session to the destination is WAITING, a new request re-sends the same code and
 *   extends the validity; with `resetSession: true` it generates a new code and re-initialises the
 *   session; the sessionId stays the same across codes of one session;
 * - the fifth wrong code makes the session FAILED, which cannot be reversed.
 *
 * Where 8x8 leaves behaviour undocumented, the emulator makes one choice, listed here:
 * - the resend 403 carries code 1400 ("Resending interval violation") and no Retry-After;
 * - the resend interval is measured per destination from the last code sent to it, whatever that
 *   session's state now (a VERIFIED, FAILED or EXPIRED session still holds the next send back),
 *   using the interval that request asked for, so `retryAfter` is exactly when a re-send is
 *   accepted;
 * - a re-initialised session (`resetSession: true`) has a new code that always differs from the
 *   old one (the old one stops working), `attempt` 0, status WAITING and a validity counted from
 *   now; `codeLength` and `codeType` come from the new request; without `resetSession` they are
 *   ignored and `attempt` is kept;
 * - a final session (VERIFIED, FAILED, EXPIRED) is never reopened: a code check on it changes
 *   nothing and returns it, and a new request, with or without `resetSession`, starts a new
 *   session with a new sessionId. (The app must be safe if 8x8 behaves this way: a verified
 *   session stays VERIFIED.)
 * - numeric codes compare exactly; alphanumeric ones ignore case;
 * - only the newest session per destination is indexed, and a session evicted by
 *   `sessionCapacity` (oldest first) takes its index entry with it;
 * - a format lookup answers libphonenumber's line type, except for the fixtures of
 *   {@link lookupFixtures}: numbers where a real lookup tells more than numbering plans do.
 */

export type SandboxMessage = {
  to: string;
  text: string;
  code: string;
  channel: string;
  sentAt: string;
  sessionId: string;
};

export type SandboxFault = {
  kind: "rate_limit" | "server_error" | "slow" | "hang" | "malformed" | "http_error";
  /** Only requests for this E.164 destination; every request when absent. */
  destination?: string;
  /** Only this operation; every operation when absent. */
  operation?: "create" | "check" | "lookup";
  /** How many requests it affects before it is used up. */
  times: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** For `http_error`: the HTTP status and 8x8 body code to answer with (e.g. 403 and 1201). */
  status?: number;
  code?: number;
};

export type EmulatorReply = {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Send `body` as is (a string), not as JSON: for the malformed-reply fault. */
  raw?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer. */
  hang?: boolean;
};

type CodeType =
  "NUMERIC" | "NUMERIC_WITH_DASH" | "ALPHANUMERIC" | "ALPHANUMERIC_CAPITALS" | "ALPHANUMERIC_EASY";

type Session = {
  id: string;
  destination: string;
  code: string;
  codeType: CodeType;
  status: "WAITING" | "VERIFIED" | "FAILED" | "EXPIRED";
  attempt: number;
  expiresAt: number;
  lastSentAt: number;
  resendingInterval: number;
};

const MAX_FAILED_ATTEMPTS = 5;
const INBOX_CAPACITY = config.eightByEight.sandboxInbox.value;
const SESSION_CAPACITY = config.eightByEight.sandboxSessions.value;

/** Messages of the platform code table, for `http_error` faults that name only a code. */
const platformMessages: Record<number, string> = {
  1000: "Invalid parameter",
  1001: "Provided subAccountId doesn't belong to your account",
  1002: "Invalid MSISDN format (not E.164 international number)",
  1014: "TLS 1.3+ is required. Detected: TLSv1.2",
  1200: "Request was not authenticated properly",
  1201: "Access forbidden",
  1300: "Not found",
  1400: "Resending interval violation",
  1404: "Session not found",
  2000: "Internal server error",
  2002: "Unsupported API version",
};

const phoneTypes: Record<string, string> = {
  MOBILE: "Mobile",
  FIXED_LINE: "FixedLine",
  FIXED_LINE_OR_MOBILE: "FixedLineOrMobile",
  VOIP: "VoIP",
  TOLL_FREE: "TollFree",
  PREMIUM_RATE: "PremiumRate",
  SHARED_COST: "SharedCost",
  PERSONAL_NUMBER: "PersonalNumber",
  PAGER: "Pager",
  UAN: "UAN",
  VOICEMAIL: "Voicemail",
};

/**
 * What the sandbox's Number Lookup answers where libphonenumber cannot tell mobile from fixed
 * line: US and Canadian numbers (all "FixedLineOrMobile" to numbering plans) in NANP's fictional
 * range NXX-555-0100…0199, by their last two digits. Any other number gets libphonenumber's type.
 *
 * | Last two digits | 8x8 answers |
 * |---|---|
 * | 00–19 | `Mobile` |
 * | 20–39 | `FixedLine` (a landline) |
 * | 40–59 | `VoIP` |
 * | 60–69 | `PremiumRate` |
 * | 70–79 | `Unknown` |
 * | 80–89 | `FixedLineOrMobile` (8x8 cannot tell either) |
 * | 90–99 | HTTP 400, code 1002 (invalid MSISDN) |
 */
export const lookupFixtures: readonly { lastTwoDigits: [number, number]; phoneType: string }[] = [
  { lastTwoDigits: [0, 19], phoneType: "Mobile" },
  { lastTwoDigits: [20, 39], phoneType: "FixedLine" },
  { lastTwoDigits: [40, 59], phoneType: "VoIP" },
  { lastTwoDigits: [60, 69], phoneType: "PremiumRate" },
  { lastTwoDigits: [70, 79], phoneType: "Unknown" },
  { lastTwoDigits: [80, 89], phoneType: "FixedLineOrMobile" },
  { lastTwoDigits: [90, 99], phoneType: "invalid" },
];

/** The fixture's phone type for `e164` ("invalid": a 400), or undefined when none applies. */
function lookupFixture(e164: string, libphonenumberType: string): string | undefined {
  const match = /^\+1[2-9]\d{2}55501(\d{2})$/.exec(e164);
  if (!match || libphonenumberType !== "FixedLineOrMobile") return undefined;
  const digits = Number(match[1]);
  return lookupFixtures.find(({ lastTwoDigits: [low, high] }) => digits >= low && digits <= high)?.phoneType;
}

export class EightByEightEmulator {
  private readonly sessions = new Map<string, Session>();
  /** The newest session per destination (whatever its state), for re-sends and the interval. */
  private readonly latestByDestination = new Map<string, string>();
  private readonly sessionCapacity: number;
  private readonly inbox: SandboxMessage[] = [];
  private faults: SandboxFault[] = [];
  /** Requests per operation, for tests that count what reached "8x8". */
  readonly requestCounts = { create: 0, check: 0, lookup: 0 };
  /** The last request bodies received, for contract tests of the client's requests. */
  readonly recentCreateBodies: unknown[] = [];

  constructor(
    readonly apiKey: string,
    readonly subAccountId: string,
    private readonly now: () => number = Date.now,
    options: { sessionCapacity?: number } = {},
  ) {
    this.sessionCapacity = options.sessionCapacity ?? SESSION_CAPACITY;
  }

  /** How much the emulator holds, for tests that check nothing is left behind. */
  stats(): { sessions: number; indexedDestinations: number } {
    return { sessions: this.sessions.size, indexedDestinations: this.latestByDestination.size };
  }

  /** Routes one HTTP request. `path` excludes the query string. */
  handle(
    method: string,
    path: string,
    query: URLSearchParams,
    authorization: string | null,
    body: string,
  ): EmulatorReply {
    const route = matchRoute(method, path);
    if (!route) return this.error(404, 1300, "Not found");
    if (authorization !== `Bearer ${this.apiKey}`)
      return this.error(401, 1200, "Request was not authenticated properly");
    if (route.subAccountId !== this.subAccountId) {
      return this.error(400, 1001, "Provided subAccountId doesn't belong to your account");
    }

    this.requestCounts[route.operation] += 1;
    const destination = this.destinationOf(route, body);
    const fault = this.takeFault(route.operation, destination);
    if (fault) {
      const reply = this.faultReply(fault);
      if (reply) return reply;
    }
    const delayMs = fault?.kind === "slow" ? (fault.delayMs ?? 2000) : undefined;

    const reply =
      route.operation === "create"
        ? this.createSession(body)
        : route.operation === "check"
          ? this.checkSession(route.sessionId, query.get("code"))
          : this.lookup(route.phoneNumber, query);
    return delayMs ? { ...reply, delayMs } : reply;
  }

  // --- Verify: POST /api/v2/subaccounts/{sub}/sessions -----------------------------------------

  private createSession(bodyText: string): EmulatorReply {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(bodyText);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      return this.error(400, 1000, "Invalid request body");
    }
    this.recentCreateBodies.push(body);
    if (this.recentCreateBodies.length > 50) this.recentCreateBodies.shift();

    const invalid = validateCreateBody(body);
    if (invalid) return this.error(400, invalid.code, invalid.message);

    const destination = normaliseDestination(String(body.destination), body.country as string | undefined);
    if (!destination) return this.error(400, 1002, "Invalid MSISDN format (not E.164 international number)");

    const now = this.now();
    const codeLength = (body.codeLength as number | undefined) ?? 4;
    const codeValidity = ((body.codeValidity as number | undefined) ?? 300) * 1000;
    const resendingInterval = ((body.resendingInterval as number | undefined) ?? 10) * 1000;
    const codeType = ((body.codeType as CodeType | undefined) ?? "NUMERIC") as CodeType;

    const latest = this.latestSession(destination);
    if (latest && now < latest.lastSentAt + latest.resendingInterval) {
      return this.error(403, 1400, "Resending interval violation");
    }
    let session = latest?.status === "WAITING" ? latest : undefined;
    if (session) {
      if (body.resetSession === true) {
        session.code = generateCode(codeType, codeLength, session.code);
        session.codeType = codeType;
        session.attempt = 0;
      }
      session.expiresAt = now + codeValidity;
      session.lastSentAt = now;
      session.resendingInterval = resendingInterval;
    } else {
      session = {
        id: randomBytes(16).toString("hex"),
        destination,
        code: generateCode(codeType, codeLength),
        codeType,
        status: "WAITING",
        attempt: 0,
        expiresAt: now + codeValidity,
        lastSentAt: now,
        resendingInterval,
      };
      this.remember(session);
    }

    const channel = (body.channel as string | undefined) ?? "sms";
    this.deliver(session, channel, renderMessage(body.template, body.brand, session.code));
    return { status: 200, body: this.present(session) };
  }

  // --- Verify: GET /api/v2/subaccounts/{sub}/sessions/{sessionId}[?code=] -----------------------

  private checkSession(sessionId: string, code: string | null): EmulatorReply {
    const session = this.findSession(sessionId);
    if (!session) return this.error(404, 1404, "Session not found");
    this.expireIfDue(session);

    if (code !== null) {
      if (code.length < 3 || code.length > 10) return this.error(400, 1010, "Parameter out of range: code");
      if (session.status === "WAITING") {
        if (codesMatch(session, code)) {
          session.status = "VERIFIED";
        } else {
          session.attempt += 1;
          if (session.attempt >= MAX_FAILED_ATTEMPTS) session.status = "FAILED";
        }
      }
    }
    return { status: 200, body: this.present(session) };
  }

  // --- Number Lookup: GET /api/v1/subaccounts/{sub}/phones/{phoneNumber} ------------------------

  private lookup(phoneNumber: string, query: URLSearchParams): EmulatorReply {
    const type = query.get("type") ?? "format";
    if (!["format", "operator", "live"].includes(type))
      return this.error(400, 1000, "Invalid parameter: type");
    const country = query.get("country") ?? undefined;
    if (country !== undefined && !/^[A-Za-z]{2}$/.test(country))
      return this.error(400, 1009, "Invalid Country Code");

    const parsed = parsePhoneNumberFromString(phoneNumber, country?.toUpperCase() as CountryCode | undefined);
    if (!parsed || !parsed.isPossible()) return this.error(400, 1002, "Invalid MSISDN");
    const libphonenumberType = (parsed.isValid() && phoneTypes[parsed.getType() ?? ""]) || "Unknown";
    const fixture = lookupFixture(parsed.number, libphonenumberType);
    if (fixture === "invalid") return this.error(400, 1002, "Invalid MSISDN");
    const timestamp = new Date(this.now()).toISOString();
    const base = {
      requestId: randomUUID(),
      phoneNumber: parsed.number,
      phoneNumberNational: parsed.formatNational(),
      phoneType: fixture ?? libphonenumberType,
      // A format lookup knows nothing of porting, roaming or operators: those fields are left out
      // (the published schema has no nulls for them).
      ...(parsed.country ? { country: parsed.country } : {}),
    };
    if (type !== "format") {
      // Paid lookups must be enabled by an account manager; the sandbox has no pricing plan.
      return {
        status: 200,
        body: {
          ...base,
          status: { state: "error", timestamp, errorCode: 2006, errorMessage: "Pricing plan not configured" },
        },
      };
    }
    return { status: 200, body: { ...base, status: { state: "ok", timestamp } } };
  }

  // --- Inbox, faults and test controls -----------------------------------------------------------

  /** Messages "sent", newest first; only those to `to` when given. */
  listMessages(to?: string): SandboxMessage[] {
    const result: SandboxMessage[] = [];
    for (let index = this.inbox.length - 1; index >= 0; index -= 1) {
      const message = this.inbox[index]!;
      if (to === undefined || message.to === to) result.push(message);
    }
    return result;
  }

  addFault(fault: SandboxFault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(destination?: string): void {
    this.faults =
      destination === undefined ? [] : this.faults.filter((fault) => fault.destination !== destination);
  }

  /**
   * Forgets everything held for `destination` (an account deletion): its messages, its sessions
   * and the faults and request bodies naming it. Returns how many messages went.
   */
  forgetDestination(destination: string): number {
    const before = this.inbox.length;
    const kept = this.inbox.filter((message) => message.to !== destination);
    this.inbox.splice(0, this.inbox.length, ...kept);
    for (const [id, session] of this.sessions)
      if (session.destination === destination) this.sessions.delete(id);
    this.latestByDestination.delete(destination);
    this.clearFaults(destination);
    const digits = destination.replace(/\D/g, "");
    const bodies = this.recentCreateBodies.filter((body) => !JSON.stringify(body).includes(digits));
    this.recentCreateBodies.splice(0, this.recentCreateBodies.length, ...bodies);
    return before - kept.length;
  }

  /**
   * Moves the newest session for `destination` `seconds` into the future, as if that much time
   * had passed for it alone (tests of resend countdowns and expired codes). A finished session is
   * aged too, since it still holds the next send back. Returns whether a session was pending.
   */
  advancePendingSession(destination: string, seconds: number): boolean {
    const session = this.latestSession(destination);
    if (!session) return false;
    const wasPending = session.status === "WAITING";
    session.expiresAt -= seconds * 1000;
    session.lastSentAt -= seconds * 1000;
    this.expireIfDue(session);
    return wasPending;
  }

  /** 8x8 documents session ids both with and without dashes. */
  private findSession(sessionId: string): Session | undefined {
    return this.sessions.get(sessionId) ?? this.sessions.get(sessionId.replaceAll("-", ""));
  }

  private latestSession(destination: string): Session | undefined {
    const id = this.latestByDestination.get(destination);
    const session = id ? this.sessions.get(id) : undefined;
    if (session) this.expireIfDue(session);
    return session;
  }

  private expireIfDue(session: Session): void {
    if (session.status === "WAITING" && this.now() >= session.expiresAt) session.status = "EXPIRED";
  }

  private remember(session: Session): void {
    this.sessions.set(session.id, session);
    this.latestByDestination.set(session.destination, session.id);
    while (this.sessions.size > this.sessionCapacity) {
      const [oldestId, oldest] = this.sessions.entries().next().value!;
      this.sessions.delete(oldestId);
      if (this.latestByDestination.get(oldest.destination) === oldestId) {
        this.latestByDestination.delete(oldest.destination);
      }
    }
  }

  private deliver(session: Session, channel: string, text: string): void {
    this.inbox.push({
      to: session.destination,
      text,
      code: session.code,
      channel,
      sentAt: new Date(this.now()).toISOString(),
      sessionId: session.id,
    });
    if (this.inbox.length > INBOX_CAPACITY) this.inbox.shift();
  }

  private destinationOf(route: Route, body: string): string | undefined {
    if (route.operation === "check") return this.findSession(route.sessionId)?.destination;
    if (route.operation === "lookup") return normaliseDestination(route.phoneNumber, undefined) ?? undefined;
    try {
      const parsed = JSON.parse(body) as { destination?: unknown; country?: unknown };
      return (
        normaliseDestination(String(parsed.destination), parsed.country as string | undefined) ?? undefined
      );
    } catch {
      return undefined;
    }
  }

  private takeFault(
    operation: Route["operation"],
    destination: string | undefined,
  ): SandboxFault | undefined {
    const index = this.faults.findIndex(
      (fault) =>
        (fault.operation === undefined || fault.operation === operation) &&
        (fault.destination === undefined || fault.destination === destination),
    );
    if (index === -1) return undefined;
    const fault = this.faults[index]!;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private faultReply(fault: SandboxFault): EmulatorReply | undefined {
    switch (fault.kind) {
      case "rate_limit": {
        const seconds = fault.retryAfterSeconds ?? 1;
        const reply = this.error(429, 429, `Quota exceeded. Please try again in ${seconds} second(s).`);
        return { ...reply, headers: { "Retry-After": String(seconds) } };
      }
      case "server_error":
        return this.error(500, 2000, "Internal server error");
      case "hang":
        return { status: 0, body: null, hang: true };
      case "malformed":
        return { status: 200, body: '{"sessionId": "', raw: true };
      case "http_error": {
        const status = fault.status ?? 500;
        const code = fault.code ?? status;
        const reply = this.error(status, code, platformMessages[code] ?? `HTTP ${status}`);
        // 8x8 names the protocol to upgrade to on its TLS refusal.
        return status === 426 ? { ...reply, headers: { Upgrade: "TLS/1.3" } } : reply;
      }
      case "slow":
        return undefined;
    }
  }

  private present(session: Session) {
    return {
      sessionId: session.id,
      verifyUri: `/api/v2/subaccounts/${this.subAccountId}/sessions/${session.id}`,
      destination: session.destination,
      status: session.status,
      attempt: session.attempt,
      expiresAt: new Date(session.expiresAt).toISOString(),
      retryAfter: new Date(session.lastSentAt + session.resendingInterval).toISOString(),
    };
  }

  private error(status: number, code: number, message: string): EmulatorReply {
    return {
      status,
      body: { code, message, errorId: randomUUID(), timestamp: new Date(this.now()).toISOString() },
    };
  }
}

type Route =
  | { operation: "create"; subAccountId: string }
  | { operation: "check"; subAccountId: string; sessionId: string }
  | { operation: "lookup"; subAccountId: string; phoneNumber: string };

function matchRoute(method: string, path: string): Route | undefined {
  const parts = path.split("/").filter(Boolean).map(safeDecode);
  const [api, version, subaccounts, subAccountId, collection, id, ...rest] = parts;
  if (api !== "api" || subaccounts !== "subaccounts" || subAccountId === undefined || rest.length > 0)
    return undefined;
  if (version === "v2" && collection === "sessions") {
    if (id === undefined && method === "POST") return { operation: "create", subAccountId };
    if (id !== undefined && method === "GET") return { operation: "check", subAccountId, sessionId: id };
  }
  if (version === "v1" && collection === "phones" && id !== undefined && method === "GET") {
    return { operation: "lookup", subAccountId, phoneNumber: id };
  }
  return undefined;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

const codeTypes = [
  "NUMERIC",
  "NUMERIC_WITH_DASH",
  "ALPHANUMERIC",
  "ALPHANUMERIC_CAPITALS",
  "ALPHANUMERIC_EASY",
];
const channels = ["sms", "call", "whatsapp", "viber", "sma"];

/** The field rules of `VerifyRequestV2`; returns the 8x8 error to answer with, if any. */
function validateCreateBody(body: Record<string, unknown>): { code: number; message: string } | undefined {
  const isInt = (value: unknown) => typeof value === "number" && Number.isInteger(value);
  const inRange = (name: string, min: number, max: number) => {
    const value = body[name];
    if (value === undefined) return undefined;
    if (!isInt(value)) return { code: 1000, message: `Invalid parameter: ${name}` };
    return (value as number) < min || (value as number) > max
      ? { code: 1010, message: `Parameter out of range: ${name}` }
      : undefined;
  };

  if (typeof body.destination !== "string" || body.destination.trim() === "") {
    return { code: 1002, message: "Invalid MSISDN format (not E.164 international number)" };
  }
  if (
    body.country !== undefined &&
    (typeof body.country !== "string" || !/^[A-Za-z]{2}$/.test(body.country))
  ) {
    return { code: 1009, message: "Invalid Country Code" };
  }
  const rangeProblem =
    inRange("codeLength", 3, 10) ??
    inRange("codeValidity", 30, 7200) ??
    inRange("resendingInterval", 10, 7200);
  if (rangeProblem) return rangeProblem;
  if (body.codeType !== undefined && !codeTypes.includes(body.codeType as string)) {
    return { code: 1000, message: "Invalid parameter: codeType" };
  }
  if (body.channel !== undefined && !channels.includes(body.channel as string)) {
    return { code: 1000, message: "Invalid parameter: channel" };
  }
  if (body.channel === "sma" || body.channel === "viber") {
    return { code: 2003, message: "Unsupported product" };
  }
  if (body.channel === "whatsapp") {
    const whatsapp = body.whatsapp as { templateName?: unknown } | undefined;
    if (typeof whatsapp?.templateName !== "string")
      return { code: 1000, message: "Invalid parameter: whatsapp" };
  }
  if (body.brand !== undefined && (typeof body.brand !== "string" || body.brand.length > 30)) {
    return { code: 1000, message: "Invalid parameter: brand" };
  }
  if (body.resetSession !== undefined && typeof body.resetSession !== "boolean") {
    return { code: 1000, message: "Invalid parameter: resetSession" };
  }
  if (body.clientIp !== undefined && typeof body.clientIp !== "string") {
    return { code: 1012, message: "Invalid Ip Address" };
  }
  return undefined;
}

/**
 * 8x8 accepts national numbers with `country`, international ones with or without `+`, and strips
 * spaces, brackets and dashes. Returns E.164 with `+`, or null when it cannot be routed.
 */
function normaliseDestination(destination: string, country: string | undefined): string | null {
  const cleaned = destination.replace(/[\s()\-.]/g, "");
  if (!/^\+?\d{3,17}$/.test(cleaned)) return null;
  const withPlus = country ? cleaned : cleaned.startsWith("+") ? cleaned : `+${cleaned}`;
  const parsed = parsePhoneNumberFromString(withPlus, country?.toUpperCase() as CountryCode | undefined);
  return parsed && parsed.isPossible() ? parsed.number : null;
}

const alphabets: Record<CodeType, string> = {
  NUMERIC: "0123456789",
  NUMERIC_WITH_DASH: "0123456789",
  ALPHANUMERIC: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
  ALPHANUMERIC_CAPITALS: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
  ALPHANUMERIC_EASY: "ABCDEFGHJKLMNPRTUVWXY0123456789",
};

/** A random code; never `previous`, so a reset always invalidates the code sent before. */
function generateCode(codeType: CodeType, length: number, previous?: string): string {
  const alphabet = alphabets[codeType];
  let code = "";
  do {
    code = "";
    for (let index = 0; index < length; index += 1) code += alphabet[randomInt(alphabet.length)];
    if (codeType === "NUMERIC_WITH_DASH" && length > 3) {
      const middle = Math.floor(length / 2);
      code = `${code.slice(0, middle)}-${code.slice(middle)}`;
    }
  } while (code.toUpperCase() === previous?.toUpperCase());
  return code;
}

function codesMatch(session: Session, code: string): boolean {
  return session.codeType === "NUMERIC" || session.codeType === "NUMERIC_WITH_DASH"
    ? code === session.code
    : code.toUpperCase() === session.code.toUpperCase();
}

function renderMessage(template: unknown, brand: unknown, code: string): string {
  const brandText = typeof brand === "string" ? brand : "";
  if (typeof template === "string")
    return template.replaceAll("{code}", code).replaceAll("{brand}", brandText);
  return brandText ? `${brandText}: Your verification code is ${code}` : `Your verification code is ${code}`;
}
