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
  const write = async () => {
    try {
      await getBackend().throttleEvents.record({ ...event, at });
    } catch (error) {
      console.error("[otp-shield] could not record a throttle event", {
        rule: event.rule,
        route: event.route,
        ip: event.ip,
        requestId: event.requestId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  try {
    after(write);
  } catch {
    // Outside a request (tests, scripts): record in the background.
    void write();
  }
}
