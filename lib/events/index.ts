import "server-only";
import { after } from "next/server";
import { config } from "@/lib/config";
import { getThrottleEventLog } from "./log";
import type { NewThrottleEvent, TrafficOutcome } from "./types";
export { getThrottleEventLog } from "./log";

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
const FLUSH_AFTER_MS = config.events.flushAfter.value;
const FLUSH_AT_EVENTS = config.events.flushAtEvents.value;

/**
 * The batch and the writes under way. Kept on `globalThis` because a production build loads this
 * module once per route bundle: one batch per process, which the server's shutdown can flush.
 */
type Batcher = {
  pending: NewThrottleEvent[];
  outcomes: TrafficOutcome[];
  flushing: Promise<void> | null;
  flushNow: () => void;
  writes: Set<Promise<unknown>>;
};
const batcherKey = Symbol.for("otp-shield.throttle-event-batcher");
const batcher: Batcher = ((globalThis as typeof globalThis & { [batcherKey]?: Batcher })[batcherKey] ??= {
  pending: [],
  outcomes: [],
  flushing: null,
  flushNow: () => undefined,
  writes: new Set(),
});

/** Counts `write` as under way until it settles, so a shutdown can wait for it. */
function track<T>(write: Promise<T>): Promise<T> {
  batcher.writes.add(write);
  void write.finally(() => batcher.writes.delete(write)).catch(() => undefined);
  return write;
}

function flushSoon(): Promise<void> {
  batcher.flushing ??= new Promise<void>((resolve) => {
    const flush = async () => {
      const batch = batcher.pending;
      const outcomes = batcher.outcomes;
      batcher.pending = [];
      batcher.outcomes = [];
      batcher.flushing = null;
      try {
        await track(getThrottleEventLog().recordMany(batch, outcomes));
      } catch (error) {
        // The store may be the very thing that is down: say so in the log, never to the user.
        console.error("[otp-shield] could not record throttle events", {
          count: batch.length,
          outcomes: outcomes.length,
          rules: [...new Set(batch.map((event) => event.rule))],
          error: error instanceof Error ? error.message : String(error),
        });
      }
      resolve();
    };
    const timer = setTimeout(flush, FLUSH_AFTER_MS);
    timer.unref?.();
    batcher.flushNow = () => {
      clearTimeout(timer);
      void flush();
    };
  });
  return batcher.flushing;
}

/**
 * Writes the pending batch now and waits for every recording under way: what the server runs on
 * SIGTERM (lib/node-server.mjs calls it through the `globalThis` hook below), so that a refusal
 * answered just before a shutdown is not lost with the process.
 */
export async function flushThrottleEvents(): Promise<void> {
  if (batcher.flushing) batcher.flushNow();
  while (batcher.writes.size > 0) await Promise.allSettled([...batcher.writes]);
}
(globalThis as Record<symbol, unknown>)[Symbol.for("otp-shield.flush-throttle-events")] = flushThrottleEvents;

/**
 * Records a refusal after the response has been sent (Next.js `after`, which also keeps a
 * serverless function alive until the batch is written), so recording never delays the answer.
 */
export function recordThrottleEvent(event: NewThrottleEvent): void {
  const starts = batcher.flushing === null;
  batcher.pending.push({ ...event, at: Date.now() });
  const written = flushSoon();
  if (batcher.pending.length >= FLUSH_AT_EVENTS) batcher.flushNow();
  if (starts) afterResponse(() => written, { what: "a batch of throttle events" });
}

/** Counts a code sent or verified for the console's conversion rate, in the same batches. */
export function recordTraffic(
  outcome: TrafficOutcome["outcome"],
  details: Omit<TrafficOutcome, "outcome" | "at">,
): void {
  const starts = batcher.flushing === null;
  batcher.outcomes.push({ ...details, outcome, at: Date.now() });
  const written = flushSoon();
  if (batcher.outcomes.length >= FLUSH_AT_EVENTS) batcher.flushNow();
  if (starts) afterResponse(() => written, { what: `a batch with a ${outcome} count` });
}

/**
 * Waits for a batch's write after the response of the request that started the batch: that one
 * keeps the (serverless) process alive until the whole batch is written, so the requests that join
 * it need not each register one (`after` costs a refused request more than its event does).
 */
function afterResponse(write: () => Promise<unknown>, context: Record<string, unknown>): void {
  const guarded = async () => {
    try {
      await track(write());
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
