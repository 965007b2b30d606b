import "server-only";
import { after } from "next/server";
import { getBackend } from "../store";
import type { NewThrottleEvent } from "./types";

export type {
  NewThrottleEvent,
  ThrottleAggregates,
  ThrottleEvent,
  ThrottleEventFilters,
  ThrottleEventPage,
} from "./types";

/**
 * Records a refusal after the response has been sent (Next.js `after`), so recording never delays
 * the answer; a failure to record — the store may be the very thing that is down — is logged,
 * never thrown at the user.
 */
export function recordThrottleEvent(event: NewThrottleEvent): void {
  const at = Date.now();
  afterResponse(() => getBackend().throttleEvents.record({ ...event, at }), {
    what: "a throttle event",
    rule: event.rule,
    route: event.route,
    ip: event.ip,
    requestId: event.requestId,
  });
}

/** Counts a code sent or verified for the console's conversion rate, after the response. */
export function recordTraffic(outcome: "sent" | "verified"): void {
  const at = Date.now();
  afterResponse(() => getBackend().throttleEvents.noteOutcome(outcome, at), { what: `a ${outcome} count` });
}

function afterResponse(write: () => Promise<unknown>, context: Record<string, unknown>): void {
  const guarded = async () => {
    try {
      await write();
    } catch (error) {
      console.error("[otp-shield] could not record", {
        ...context,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  try {
    after(guarded);
  } catch {
    // Outside a request (tests, scripts): record in the background.
    void guarded();
  }
}
