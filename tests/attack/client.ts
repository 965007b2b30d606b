/**
 * The attack simulator's side of the HTTP API: one instance under attack at a time, its sandbox
 * inbox (how SMS are counted and codes read), and an admin session for the refusal counts.
 */
import { solveChallenge } from "altcha-lib";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";

let base = "";
/** Where the sandbox inbox is: the target itself, or the standalone emulator of our own instance. */
let inbox = "";
let adminCookie = "";

/** Points every helper below at this instance (and its inbox), until the next call. */
export function pointAt(target: { url: string; inboxUrl: string }): void {
  base = target.url.replace(/\/$/, "");
  inbox = target.inboxUrl.replace(/\/$/, "");
  adminCookie = "";
}

export type Reply = { status: number; json: Record<string, unknown>; setCookie: string[] };

export async function http(
  method: string,
  url: string,
  options: { body?: unknown; forwardedFor?: string; cookie?: string } = {},
): Promise<Reply> {
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

/** The `Cookie` header a browser sends back: `cookies` merged with a reply's `Set-Cookie`s. */
export function cookieHeader(setCookie: string[], cookies = ""): string {
  const jar = new Map(
    cookies
      .split("; ")
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf("=")), pair] as const),
  );
  for (const header of setCookie) {
    const pair = header.split(";")[0]!;
    jar.set(pair.slice(0, pair.indexOf("=")), pair);
  }
  return [...jar.values()].join("; ");
}

/** The refusal's `error.code` (`rate_limited`, `captcha_failed`…), or null for a success. */
export const errorCode = (reply: Reply): string | null =>
  (reply.json.error as { code?: string } | undefined)?.code ?? null;

/** A challenge fetched and solved, as the sign-in form's widget posts it ("unsolved" when refused). */
export async function solvedCaptcha(forwardedFor: string): Promise<string> {
  const { status, json } = await http("GET", "/api/captcha/challenge", { forwardedFor });
  if (status !== 200) return "unsolved";
  const solution = await solveChallenge({ challenge: json as never, deriveKey });
  return Buffer.from(JSON.stringify({ challenge: json, solution })).toString("base64");
}

export async function send(
  phone: string,
  forwardedFor: string,
  captcha?: string,
  country?: string,
  cookie?: string,
): Promise<Reply> {
  return http("POST", "/api/otp/send", {
    forwardedFor,
    cookie,
    body: { phone, ...(country ? { country } : {}), captcha: captcha ?? (await solvedCaptcha(forwardedFor)) },
  });
}

export type InboxMessage = { to: string; code: string; sentAt: string };

/** Every SMS the sandbox "sent", newest first. */
export async function inboxMessages(): Promise<InboxMessage[]> {
  const { json } = await http("GET", `${inbox}/api/sandbox/messages`);
  return json.messages as InboxMessage[];
}

export async function inboxCount(): Promise<number> {
  return (await inboxMessages()).length;
}

export async function latestCode(phone: string): Promise<string | null> {
  const { json } = await http("GET", `${inbox}/api/sandbox/messages?to=${encodeURIComponent(phone)}`);
  return (json.messages as { code: string }[])[0]?.code ?? null;
}

/** Signs `phone` (an admin number of the target) in, for `refusalsByRule`. */
export async function signInAdmin(phone: string): Promise<void> {
  const ip = clientIp();
  const sent = await send(phone, ip);
  // Named when it fails: a verify with no code says nothing of why the code never came.
  if (sent.status !== 202)
    throw new Error(`The admin ${phone} got no code: ${sent.status} ${JSON.stringify(sent.json)}`);
  const code = await latestCode(phone);
  if (!code) throw new Error(`The admin ${phone} was sent a code (202) that the inbox does not hold.`);
  const verified = await http("POST", "/api/otp/verify", {
    forwardedFor: ip,
    cookie: cookieHeader(sent.setCookie),
    body: { code },
  });
  if (verified.status !== 200)
    throw new Error(
      `The admin ${phone} could not sign in: ${verified.status} ${JSON.stringify(verified.json)}`,
    );
  adminCookie = cookieHeader(verified.setCookie);
}

/** Refusals in the last hour, by rule, from the admin overview. */
export async function refusalsByRule(): Promise<Record<string, number>> {
  const { status, json } = await http("GET", "/api/admin/overview", { cookie: adminCookie });
  if (status !== 200)
    throw new Error(
      `The admin overview answered ${status} ${JSON.stringify(json)}: the simulator needs an admin ` +
        "signed in by code alone (ADMIN_REQUIRE_PASSKEY=false on the target).",
    );
  const totals: Record<string, number> = {};
  for (const bucket of (json.minutes as { buckets: { counts: Record<string, number> }[] }).buckets) {
    for (const [rule, count] of Object.entries(bucket.counts))
      if (!rule.startsWith("@")) totals[rule] = (totals[rule] ?? 0) + count;
  }
  return totals;
}

/** The refusals by rule added since `before`. */
export function refusalsSince(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([rule, count]) => [rule, count - (before[rule] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );
}

export const random16 = () => (1 + Math.floor(Math.random() * 0xfffe)).toString(16);
/** A client of its own: an address in its own /48 of the IPv6 documentation range. */
export const clientIp = () => `2001:db8:${random16()}:${random16()}::1`;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** `count` random decimal digits. */
export const digits = (count: number) => String(Math.floor(Math.random() * 10 ** count)).padStart(count, "0");
/** A random number under `prefix`, `length` characters long with its `+` (SG 11, US 12, GB 13). */
export const randomNumber = (prefix: string, length: number) => `${prefix}${digits(length - prefix.length)}`;

/**
 * A number from `generate` that is a mobile number of `country`, as a real person's is: some blocks
 * of a plan belong to a neighbour (+44 7457… is the Isle of Man) or are not allocated.
 */
export function mobileNumberIn(country: string, generate: () => string): string {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const phone = generate();
    const parsed = parsePhoneNumberFromString(phone);
    const type = parsed?.isValid() ? parsed.getType() : undefined;
    if (parsed?.country === country && (type === "MOBILE" || type === "FIXED_LINE_OR_MOBILE")) return phone;
  }
  throw new Error(`No mobile number of ${country} from this generator.`);
}
