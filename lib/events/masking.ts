import { callingCodeOf } from "@/lib/phone";

/** Digits an unrevealed view never shows: the same four that `prefix` leaves out. */
export const HIDDEN_DIGITS = 4;

/**
 * A number as every unrevealed admin view shows it: `+65 8123 ••••`, the number without its last
 * four digits. That is exactly the event's `prefix`, so no two views (list, CSV, live updates,
 * top sources, filters) put together can rebuild the number; the last digits come only from the
 * audited reveal. (The prefix is what operators need against SMS pumping, which targets number
 * ranges; the last digits identify a person.)
 */
export function maskForOperators(e164: string): string {
  const visible = e164.slice(0, -HIDDEN_DIGITS);
  const callingCode = callingCodeOf(e164);
  const spaced =
    callingCode && visible.startsWith(`+${callingCode}`)
      ? `+${callingCode} ${visible.slice(callingCode.length + 1)}`
      : visible;
  return `${spaced}${"•".repeat(Math.min(HIDDEN_DIGITS, e164.length - 1))}`;
}
