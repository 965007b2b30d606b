/**
 * What can raise an alert, as data: adding a defense that alerts is adding an entry here.
 * `deduplicate`: a repeated "started" for a subject that is still active is not sent again, and an
 * "ended" is sent only for a subject that was active (on every instance: see lib/alerts/index.ts).
 */
export const alertKinds = {
  attack_mode: { label: "Attack mode", deduplicate: true },
  auto_block: { label: "Automatic block", deduplicate: true },
  spend_budget: { label: "Spend budget", deduplicate: true },
  // The console's "Send a test alert": every click is sent.
  test: { label: "Test alert", deduplicate: false },
} as const satisfies Record<string, { label: string; deduplicate: boolean }>;

export type AlertKind = keyof typeof alertKinds;
export type AlertState = "started" | "ended";

/** Facts a receiver can act on: short words and numbers, never objects, sessions or full numbers. */
export type AlertEvidence = Record<string, string | number | boolean | null>;

/** What a defense says when it trips or recovers. */
export type AlertInput = {
  kind: AlertKind;
  state: AlertState;
  /** What tripped, e.g. "+6581" (a number range), "SG", "daily SMS spend", "sends". */
  subject: string;
  evidence?: AlertEvidence;
  /** A subject whose "ended" never comes counts as active this long at most (default 7 days). */
  activeForSeconds?: number;
};

/** The webhook's JSON body. */
export type AlertPayload = {
  id: string;
  kind: AlertKind;
  state: AlertState;
  subject: string;
  evidence: AlertEvidence;
  occurredAt: string;
};

export type DeliveryStatus = "pending" | "delivered" | "failed" | "dropped" | "not_configured";

/**
 * One step in the life of an alert's delivery, as the console shows it. The store keeps these in
 * a capped list, newest first; the newest record of an id is its current status.
 */
export type DeliveryRecord = {
  id: string;
  kind: AlertKind;
  state: AlertState;
  subject: string;
  occurredAt: string;
  status: DeliveryStatus;
  attempts: number;
  /** HTTP status of the last answer, null when none came (network error, timeout). */
  lastHttpStatus: number | null;
  /** The last failure in words; never a response body. */
  lastError: string | null;
  updatedAt: string;
  /** The instance that delivers it, and how many alerts that instance has dropped since it started. */
  instance: string;
  droppedByInstance: number;
};
