/**
 * The app's own view of 8x8: nothing outside `lib/eight-by-eight/` sees 8x8 field names.
 */

export type VerificationStatus = "waiting" | "verified" | "failed" | "expired";

export type VerificationSession = {
  sessionId: string;
  /** E.164, with the leading `+`. */
  destination: string;
  status: VerificationStatus;
  /** Wrong codes entered for this session so far (8x8 fails the session at the fifth). */
  failedAttempts: number;
  expiresAt: Date;
  /** Earliest time 8x8 accepts a re-send to this destination. */
  resendAfter: Date;
};

export type StartVerificationInput = {
  /** E.164 destination. */
  phone: string;
  /** The end user's address, for 8x8's optional client-IP rate limiting. */
  clientIp?: string;
  brand: string;
  codeLength: number;
  codeValiditySeconds: number;
  resendIntervalSeconds: number;
  /** true: a new code and a fresh session; false: re-send the pending code and extend it. */
  resetSession?: boolean;
};

export type LineType =
  | "mobile"
  | "fixed_line"
  | "fixed_line_or_mobile"
  | "voip"
  | "toll_free"
  | "premium_rate"
  | "shared_cost"
  | "personal_number"
  | "pager"
  | "uan"
  | "voicemail"
  | "unknown";

export type NumberInfo = {
  e164: string;
  /** ISO 3166 alpha-2, or null when 8x8 does not say. */
  country: string | null;
  lineType: LineType;
};

/**
 * How much 8x8 Number Lookup finds out: `format` (free) the country and line type from numbering
 * plans; `operator` (paid) the current operator from portability data; `live` (paid) an HLR query
 * of the handset. The paid types must be enabled by 8x8's account manager.
 */
export type LookupType = "format" | "operator" | "live";

export type OtpProvider = {
  readonly kind: "sandbox" | "8x8";
  startVerification(input: StartVerificationInput): Promise<VerificationSession>;
  checkCode(sessionId: string, code: string): Promise<VerificationSession>;
  lookupNumber(phone: string, type?: LookupType): Promise<NumberInfo>;
};
