import "server-only";
import { after } from "next/server";
import { getEnv } from "@/lib/env";
import { getStore } from "@/lib/store";
import { defaultDeliveryTiming } from "./delivery";
import { createAlertDispatcher, type AlertDispatcher } from "./dispatcher";
import type { AlertInput } from "./kinds";

export { activeAlertKey } from "./dispatcher";
export { alertKinds, type AlertInput, type AlertKind, type AlertState, type DeliveryRecord } from "./kinds";

/**
 * Alerts: a signed webhook that tells the operator when a defense trips and when it recovers
 * (attack mode, an automatic block, a spend budget). See the README section "Alerts".
 */

/**
 * One dispatcher (queue, dropped count) per process, kept on `globalThis`: a production build
 * loads this module once per route bundle, and the server's shutdown must reach the one queue.
 */
const dispatcherKey = Symbol.for("otp-shield.alert-dispatcher");
type GlobalWithDispatcher = typeof globalThis & { [dispatcherKey]?: AlertDispatcher };

export function getAlertDispatcher(): AlertDispatcher {
  const holder = globalThis as GlobalWithDispatcher;
  holder[dispatcherKey] ??= (() => {
    const { alerts } = getEnv();
    return createAlertDispatcher({
      webhook: alerts.webhook,
      queueCapacity: alerts.queueCapacity,
      timing: { ...defaultDeliveryTiming, maxAttempts: alerts.maxAttempts },
      store: getStore,
    });
  })();
  return holder[dispatcherKey];
}

/**
 * Tells the operator that a defense started or ended, e.g.
 * `raiseAlert({ kind: "auto_block", state: "started", subject: "+6581", evidence: { sendsInHour: 42 } })`.
 *
 * Never throws and never delays the request: the alert's time and id are taken now, and
 * everything else — deduplication, delivery with retries, the status the console shows — runs
 * after the response (Next.js `after`, which keeps a serverless function alive for it), or in the
 * background outside a request. A "started" for a subject whose alert is active is not sent
 * again, and an "ended" only for an active one (see lib/alerts/kinds.ts). Returns the alert's id.
 */
export function raiseAlert(input: AlertInput): string | null {
  try {
    const job = getAlertDispatcher().accept(input);
    try {
      after(job.run);
    } catch {
      // Outside a request (tests, scripts): start now, in the background.
      void job.run();
    }
    return job.payload.id;
  } catch (error) {
    console.error("[otp-shield] could not raise an alert", {
      kind: input.kind,
      state: input.state,
      error: error instanceof Error ? error.message : String(error),
    });
    return null;
  }
}

/** How long a stopping server gives the deliveries under way (then at most 0.5 s for their status records). */
export const SHUTDOWN_GRACE_MS = 1_000;

/**
 * Run by lib/node-server.mjs on SIGTERM through the `globalThis` hook below: the alerts of the
 * last requests get a short, bounded time to go out before the process ends.
 */
export async function flushAlerts(): Promise<void> {
  const dispatcher = (globalThis as GlobalWithDispatcher)[dispatcherKey];
  await dispatcher?.flush(SHUTDOWN_GRACE_MS);
}
(globalThis as Record<symbol, unknown>)[Symbol.for("otp-shield.flush-alerts")] = flushAlerts;
