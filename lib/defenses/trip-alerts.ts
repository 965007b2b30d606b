import "server-only";
import { raiseAlert, type AlertKind } from "@/lib/alerts";
import type { AlertEvidence } from "@/lib/alerts/kinds";

/**
 * When an automatic block or a spend budget trips, and when it ends, as alerts (lib/alerts):
 * "started" the first time this instance sees it trip, "ended" when this instance next admits a
 * send through the same level after it was over. Remembered in process, so a flood of refusals
 * raises one alert, not one store write each; another instance may raise its own "started",
 * which the alerts' own deduplication (a marker in the store) folds into one.
 */
type Trip = { kind: AlertKind; until: number };

const trips = new Map<string, Trip>();
const TRIPS_CAPACITY = 10_000;
/** A trip without an end of its own (a spend budget) is over when a send passes it again. */
const OPEN_ENDED = 0;

export function noteTrip(
  kind: AlertKind,
  subject: string,
  evidence: AlertEvidence,
  until = OPEN_ENDED,
): void {
  const known = trips.get(subject);
  if (known && (known.until === OPEN_ENDED || known.until >= until)) return;
  if (trips.size >= TRIPS_CAPACITY) trips.delete(trips.keys().next().value!);
  trips.set(subject, { kind, until });
  const activeForSeconds = until === OPEN_ENDED ? undefined : Math.ceil((until - Date.now()) / 1000);
  raiseAlert({ kind, state: "started", subject, evidence, activeForSeconds });
}

/** A send was admitted through these levels: any trip of theirs that is over has ended. */
export function noteAdmitted(subjects: string[]): void {
  if (trips.size === 0) return;
  const now = Date.now();
  for (const subject of subjects) {
    const trip = trips.get(subject);
    if (!trip || trip.until > now) continue;
    trips.delete(subject);
    raiseAlert({ kind: trip.kind, state: "ended", subject });
  }
}

/** An operator lifted a block from the console. */
export function noteLifted(subject: string): void {
  const trip = trips.get(subject);
  trips.delete(subject);
  raiseAlert({
    kind: trip?.kind ?? "auto_block",
    state: "ended",
    subject,
    evidence: { liftedBy: "operator" },
  });
}
