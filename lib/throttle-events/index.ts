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
 * Refusals are written in batches: under attack thousands arrive a second, and one store round
 * trip per batch (instead of per refusal) keeps the refusal path cheap. A batch is flushed after
 * `FLUSH_AFTER_MS` or at `FLUSH_AT_EVENTS` events, whichever comes first; a crash can lose at most
 * that much.
 */
const FLUSH_AFTER_MS = 250;
const FLUSH_AT_EVENTS = 200;

let pending: NewThrottleEvent[] = [];
let flushing: Promise<void> | null = null;

function flushSoon(): Promise<void> {
  flushing ??= new Promise<void>((resolve) => {
    const flush = async () => {
      const batch = pending;
      pending = [];
      flushing = null;
      try {
        if (batch.length > 0) await getBackend().throttleEvents.recordMany(batch);
      } catch (error) {
        // The store may be the very thing that is down: say so in the log, never to the user.
        console.error("[otp-shield] could not record throttle events", {
          count: batch.length,
          rules: [...new Set(batch.map((event) => event.rule))],
          error: error instanceof Error ? error.message : String(error),
        });
      }
      resolve();
    };
    const timer = setTimeout(flush, FLUSH_AFTER_MS);
    timer.unref?.();
    flushNow = () => {
      clearTimeout(timer);
      void flush();
    };
  });
  return flushing;
}
let flushNow: () => void = () => undefined;

/**
 * Records a refusal after the response has been sent (Next.js `after`, which also keeps a
 * serverless function alive until the batch is written), so recording never delays the answer.
 */
export function recordThrottleEvent(event: NewThrottleEvent): void {
  pending.push({ ...event, at: Date.now() });
  const written = flushSoon();
  if (pending.length >= FLUSH_AT_EVENTS) flushNow();
  afterResponse(() => written, { what: "a throttle event" });
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
