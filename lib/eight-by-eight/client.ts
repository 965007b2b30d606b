import { z } from "zod";
import { EightByEightError } from "./errors";
import type {
  LineType,
  LookupType,
  NumberInfo,
  OtpProvider,
  StartVerificationInput,
  VerificationSession,
} from "./types";

/**
 * A client for 8x8 Verify v2 and Number Lookup, the same for the real 8x8 and for the local
 * sandbox (only the base URLs and the key differ).
 *
 * - One HTTP call per operation, never retried: a retry storm would multiply SMS and cost.
 * - Every call has a deadline; a hang becomes `unavailable`.
 * - Vendor JSON is validated and reshaped into app types here.
 *
 * API reference: https://developer.8x8.com/connect/reference/verify-request-v2
 */

export type EightByEightClientOptions = {
  verifyBaseUrl: string;
  lookupBaseUrl: string;
  apiKey: string;
  subAccountId: string;
  timeoutMs: number;
  kind: "sandbox" | "8x8";
  fetch?: typeof fetch;
};

const verifyResponseSchema = z.object({
  sessionId: z.string().min(1),
  destination: z.union([z.string(), z.number()]).transform(String),
  status: z.enum(["WAITING", "VERIFIED", "FAILED", "EXPIRED"]),
  attempt: z.number().int().min(0).default(0),
  expiresAt: z.iso.datetime({ offset: true }),
  retryAfter: z.iso.datetime({ offset: true }),
});

const lookupResponseSchema = z.object({
  phoneNumber: z.string().nullish(),
  phoneType: z.string().nullish(),
  country: z.string().nullish(),
  status: z
    .object({ state: z.string(), errorCode: z.number().nullish(), errorMessage: z.string().nullish() })
    .nullish(),
});

const errorEnvelopeSchema = z.object({
  code: z.number(),
  message: z.string().optional(),
  errorId: z.string().optional(),
  timestamp: z.string().optional(),
});

const lineTypes: Record<string, LineType> = {
  Mobile: "mobile",
  FixedLine: "fixed_line",
  FixedLineOrMobile: "fixed_line_or_mobile",
  VoIP: "voip",
  TollFree: "toll_free",
  PremiumRate: "premium_rate",
  SharedCost: "shared_cost",
  PersonalNumber: "personal_number",
  Pager: "pager",
  UAN: "uan",
  Voicemail: "voicemail",
};

export function createEightByEightClient(options: EightByEightClientOptions): OtpProvider {
  const doFetch = options.fetch ?? fetch;
  const sub = encodeURIComponent(options.subAccountId);

  async function call(url: string, init: RequestInit): Promise<unknown> {
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        ...init,
        headers: {
          Authorization: `Bearer ${options.apiKey}`,
          Accept: "application/json",
          ...(init.body ? { "Content-Type": "application/json" } : {}),
        },
        signal: AbortSignal.timeout(options.timeoutMs),
        cache: "no-store",
      });
      text = await response.text();
    } catch (cause) {
      const timedOut = cause instanceof Error && cause.name === "TimeoutError";
      throw new EightByEightError(
        "unavailable",
        timedOut ? `8x8 did not answer within ${options.timeoutMs} ms` : "8x8 could not be reached",
        { cause },
      );
    }

    const json = parseJson(text);
    if (response.ok) {
      if (json === undefined) {
        throw new EightByEightError("unavailable", "8x8 answered with a body that is not JSON", {
          httpStatus: response.status,
        });
      }
      return json;
    }
    throw toError(response, json);
  }

  return {
    kind: options.kind,

    async startVerification(input: StartVerificationInput): Promise<VerificationSession> {
      const body = {
        destination: input.phone,
        channel: "sms",
        brand: input.brand,
        codeLength: input.codeLength,
        codeType: "NUMERIC",
        codeValidity: input.codeValiditySeconds,
        resendingInterval: input.resendIntervalSeconds,
        resetSession: input.resetSession ?? false,
        ...(input.clientIp ? { clientIp: input.clientIp } : {}),
      };
      const json = await call(`${options.verifyBaseUrl}/api/v2/subaccounts/${sub}/sessions`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      return reshapeSession(json);
    },

    async checkCode(sessionId: string, code: string): Promise<VerificationSession> {
      const query = new URLSearchParams({ code });
      const json = await call(
        `${options.verifyBaseUrl}/api/v2/subaccounts/${sub}/sessions/${encodeURIComponent(sessionId)}?${query}`,
        { method: "GET" },
      );
      return reshapeSession(json);
    },

    async lookupNumber(phone: string, lookupType: LookupType = "format"): Promise<NumberInfo> {
      const query = new URLSearchParams({ type: lookupType });
      const json = await call(
        `${options.lookupBaseUrl}/api/v1/subaccounts/${sub}/phones/${encodeURIComponent(phone)}?${query}`,
        { method: "GET" },
      );
      return reshapeLookup(json, phone);
    },
  };
}

/**
 * A lookup answer in the app's terms. 8x8 reports a failed lookup inside a 200
 * (`status.state: "error"`): codes 6000–6005 are a live lookup the operator's network could not
 * answer (SIM off, unreachable…), whose format part — the line type — is still good; 2006 and
 * 2007 (no pricing plan, no balance) need the operator; the rest (2000, 2004, 2005) are outages.
 * https://developer.8x8.com/connect/docs/number-lookup-error-codes
 */
function reshapeLookup(json: unknown, phone: string): NumberInfo {
  const parsed = lookupResponseSchema.safeParse(json);
  if (!parsed.success) throw malformed();
  const { phoneNumber, phoneType, country, status } = parsed.data;
  const errorCode = status?.errorCode ?? undefined;
  const liveOnly = errorCode !== undefined && errorCode >= 6000 && errorCode <= 6005;
  if (status?.state === "error" && !liveOnly) {
    const account = errorCode === 2006 || errorCode === 2007;
    throw new EightByEightError(
      account ? "misconfigured" : "unavailable",
      account
        ? `8x8 refused the lookup for this account; operator action needed: ${status.errorMessage ?? `code ${errorCode}`}`
        : `8x8 lookup failed with code ${errorCode ?? "?"}`,
      { vendorCode: errorCode },
    );
  }
  // 8x8's schema example spells E.164 without its "+", its response example with it.
  const e164 = phoneNumber ? (phoneNumber.startsWith("+") ? phoneNumber : `+${phoneNumber}`) : phone;
  return { e164, country: country ?? null, lineType: lineTypes[phoneType ?? ""] ?? "unknown" };
}

function reshapeSession(json: unknown): VerificationSession {
  const parsed = verifyResponseSchema.safeParse(json);
  if (!parsed.success) throw malformed();
  const data = parsed.data;
  return {
    sessionId: data.sessionId,
    destination: data.destination.startsWith("+") ? data.destination : `+${data.destination}`,
    status: data.status.toLowerCase() as VerificationSession["status"],
    failedAttempts: data.attempt,
    expiresAt: new Date(data.expiresAt),
    resendAfter: new Date(data.retryAfter),
  };
}

/**
 * 8x8's HTTP failures in the app's terms. Only code 1400 is the resend interval: any other 403
 * (1201 "Access forbidden" is the IP allow-list or an account setting) refuses the account, not
 * the user, and must not be mistaken for users retrying too fast. Codes 8x8 does not document for
 * a status fall to the safe side: an unknown 403 is `misconfigured`, never `resend_too_soon`.
 */
function toError(response: Response, json: unknown): EightByEightError {
  const envelope = errorEnvelopeSchema.safeParse(json);
  const vendorCode = envelope.success ? envelope.data.code : undefined;
  const details = {
    httpStatus: response.status,
    vendorCode,
    errorId: envelope.success ? envelope.data.errorId : undefined,
    retryAfterSeconds: parseRetryAfter(response.headers.get("retry-after")),
  };
  const vendorMessage = envelope.success ? (envelope.data.message ?? "") : "";
  const describe = (what: string) =>
    `${what} (HTTP ${response.status}${vendorCode !== undefined ? `, code ${vendorCode}` : ""}${
      vendorMessage ? `: ${vendorMessage}` : ""
    })`;
  const misconfigured = (check: string) =>
    new EightByEightError(
      "misconfigured",
      describe(`8x8 refused this account's request; operator action needed: ${check}`),
      details,
    );

  switch (response.status) {
    case 400:
      if (vendorCode === 1002)
        return new EightByEightError("invalid_number", describe("8x8 rejected the destination"), details);
      if (vendorCode === 1001)
        return misconfigured("EIGHT_BY_EIGHT_SUBACCOUNT_ID is not one of this account's");
      return new EightByEightError("invalid_request", describe("8x8 rejected the request"), details);
    case 401:
      return new EightByEightError(
        "unauthorized",
        describe("8x8 rejected the API key; operator action needed: check EIGHT_BY_EIGHT_API_KEY"),
        details,
      );
    case 403:
      return vendorCode === 1400
        ? new EightByEightError(
            "resend_too_soon",
            describe("8x8 refused a re-send within the interval"),
            details,
          )
        : misconfigured("check the IP allow-list and the products enabled in 8x8 Connect");
    case 404:
      return new EightByEightError("not_found", describe("8x8 does not know this session"), details);
    case 410:
      return misconfigured("this 8x8 API version is no longer supported");
    case 426:
      return misconfigured("8x8 requires TLS 1.3 from this server");
    case 429:
      return new EightByEightError("rate_limited", describe("8x8 rate-limited the request"), details);
    default:
      return new EightByEightError("unavailable", describe("8x8 failed"), details);
  }
}

/** `Retry-After` in seconds or as an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function malformed(): EightByEightError {
  return new EightByEightError(
    "unavailable",
    "8x8 answered with JSON that does not match its documented shape",
  );
}
