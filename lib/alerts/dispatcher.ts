import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { isValidPhoneNumber } from "libphonenumber-js/max";
import type { KeyValueStore } from "@/lib/store/types";
import { deliverWithRetries, type DeliveryResult, type DeliveryTiming, type WebhookTarget } from "./delivery";
import { config } from "@/lib/config";
import {
  alertKinds,
  type AlertEvidence,
  type AlertInput,
  type AlertKind,
  type AlertPayload,
  type DeliveryRecord,
  type DeliveryStatus,
} from "./kinds";

/** Owner of the `alerts:` keys: the delivery records and the subjects whose alert is active. */
export const DELIVERIES_KEY = "alerts:deliveries";
/** Status records kept (several per alert: queued, each retry, the outcome). */
export const DELIVERY_RECORDS_KEPT = config.alerts.recordsKept.value;
/** A subject without an "ended" stops counting as active after this long. */
const DEFAULT_ACTIVE_SECONDS = 7 * 24 * 3600;

/** The key that marks `subject`'s alert of `kind` as active, for callers that read it with their own keys. */
export function activeAlertKey(kind: AlertKind, subject: string): string {
  return `alerts:active:${kind}:${subject}`;
}

export type AlertDispatcherSettings = {
  webhook: WebhookTarget | null;
  /** Alerts waiting for delivery at most (the one being delivered is not counted). */
  queueCapacity: number;
  timing: DeliveryTiming;
  /** A function, so that a store closed and reopened (lib/store/index.ts) is picked up. */
  store: () => KeyValueStore;
  random?: () => number;
};

/** An accepted alert; `run` starts its work (once, however often it is called). */
export type AlertJob = { payload: AlertPayload; run: () => Promise<void> };

type Queued = { payload: AlertPayload; done: () => void };

/**
 * One process's alert pipeline: deduplication in the store (so every instance agrees), a bounded
 * queue that drops its oldest alert when full, one delivery at a time (a receiver sees an alert's
 * "started" before its "ended"), and a status record in the store for each step, which the
 * console reads on any instance. Nothing here throws to its caller: failures are recorded and
 * logged with the webhook's origin only (a URL's path and query may hold a token).
 */
export function createAlertDispatcher(settings: AlertDispatcherSettings) {
  const instance = randomBytes(4).toString("hex");
  const origin = settings.webhook ? new URL(settings.webhook.url).origin : null;
  const queue: Queued[] = [];
  const unfinished = new Set<Promise<void>>();
  const notStarted = new Set<AlertJob>();
  const stopping = new AbortController();
  let delivering = false;
  let dropped = 0;
  let records: Promise<void> = Promise.resolve();

  /** Writes one status record; records are chained so that they reach the store in order. */
  function record(payload: AlertPayload, status: DeliveryStatus, result?: DeliveryResult): void {
    const entry: DeliveryRecord = {
      id: payload.id,
      kind: payload.kind,
      state: payload.state,
      subject: payload.subject,
      occurredAt: payload.occurredAt,
      status,
      attempts: result?.attempts ?? 0,
      lastHttpStatus: result?.lastHttpStatus ?? null,
      lastError: result?.lastError ?? null,
      updatedAt: new Date().toISOString(),
      instance,
      droppedByInstance: dropped,
    };
    records = records
      .then(() => settings.store().pushCapped(DELIVERIES_KEY, entry, DELIVERY_RECORDS_KEPT))
      .catch((error: unknown) => {
        console.error("[otp-shield] could not record an alert's delivery status", {
          id: payload.id,
          status,
          error: error instanceof Error ? error.message : String(error),
        });
      });
  }

  /**
   * A repeated "started" of an active subject is not sent, nor an "ended" of one that is not
   * active; an "ended" says when its alert started. Both decided by one atomic store operation,
   * so of many instances exactly one sends. If the store does not answer, the alert is sent
   * anyway (fail open: a duplicate alert is better than a missed one).
   */
  async function passesDeduplication(payload: AlertPayload, activeForSeconds: number): Promise<boolean> {
    if (!alertKinds[payload.kind].deduplicate) return true;
    const key = activeAlertKey(payload.kind, payload.subject);
    try {
      if (payload.state === "started") {
        return await settings
          .store()
          .setIfAbsent(key, { id: payload.id, since: payload.occurredAt }, activeForSeconds);
      }
      const started = await settings.store().take<{ id: string; since: string }>(key);
      if (!started) return false;
      payload.evidence = { ...payload.evidence, startedId: started.id, startedAt: started.since };
      return true;
    } catch (error) {
      console.error("[otp-shield] alert deduplication unavailable: sending anyway", {
        id: payload.id,
        error: error instanceof Error ? error.message : String(error),
      });
      return true;
    }
  }

  function enqueue(payload: AlertPayload): Promise<void> {
    return new Promise<void>((done) => {
      if (queue.length >= settings.queueCapacity) {
        const oldest = queue.shift()!;
        dropped += 1;
        console.warn(
          `[otp-shield] alert queue full (${settings.queueCapacity}): dropped alert ${oldest.payload.id} ` +
            `(${oldest.payload.kind} ${oldest.payload.state}); ${dropped} dropped since this instance started`,
        );
        record(oldest.payload, "dropped");
        oldest.done();
      }
      queue.push({ payload, done });
      record(payload, "pending");
      void deliverQueued();
    });
  }

  async function deliverQueued(): Promise<void> {
    if (delivering) return;
    delivering = true;
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { payload, done } = next;
      const result = stopping.signal.aborted
        ? {
            delivered: false,
            attempts: 0,
            lastHttpStatus: null,
            lastError: "the server stopped before it was sent",
          }
        : await deliverWithRetries(settings.webhook!, payload, settings.timing, {
            signal: stopping.signal,
            random: settings.random,
            onRetry: (progress) => record(payload, "pending", progress),
          });
      record(payload, result.delivered ? "delivered" : "failed", result);
      if (!result.delivered) {
        console.error(`[otp-shield] alert not delivered to ${origin}`, {
          id: payload.id,
          kind: payload.kind,
          state: payload.state,
          attempts: result.attempts,
          lastError: result.lastError,
        });
      }
      done();
    }
    delivering = false;
  }

  async function handle(payload: AlertPayload, activeForSeconds: number): Promise<void> {
    if (!(await passesDeduplication(payload, activeForSeconds))) return;
    if (!settings.webhook) return record(payload, "not_configured");
    await enqueue(payload);
  }

  /** Registers an alert now (its time, its id); its work starts when `run` is called. */
  function accept(input: AlertInput): AlertJob {
    const payload = buildPayload(input);
    const activeForSeconds = input.activeForSeconds ?? DEFAULT_ACTIVE_SECONDS;
    let started: Promise<void> | null = null;
    const job: AlertJob = {
      payload,
      run: () => {
        if (started) return started;
        notStarted.delete(job);
        started = handle(payload, activeForSeconds).catch((error: unknown) => {
          console.error("[otp-shield] alert failed", { id: payload.id, error });
        });
        unfinished.add(started);
        void started.finally(() => unfinished.delete(started!));
        return started;
      },
    };
    notStarted.add(job);
    return job;
  }

  return {
    instance,
    origin,
    accept,
    /** Accepts and runs at once; resolves when the alert is delivered, failed, dropped or skipped. */
    raise: (input: AlertInput) => accept(input).run(),
    droppedCount: () => dropped,
    /**
     * For the server's shutdown: runs what is not started yet, and gives deliveries `withinMs`
     * to finish. Then attempts and waits are cut short, what is still queued is recorded as
     * failed, and the status records get a moment to reach the store.
     */
    async flush(withinMs: number): Promise<void> {
      for (const job of [...notStarted]) void job.run();
      const settled = async () => {
        while (unfinished.size > 0) await Promise.allSettled([...unfinished]);
        await records;
      };
      const inTime = await Promise.race([settled().then(() => true), sleep(withinMs, false)]);
      if (inTime) return;
      stopping.abort();
      await Promise.race([settled(), sleep(500)]);
    },
  };
}

export type AlertDispatcher = ReturnType<typeof createAlertDispatcher>;

const SUBJECT_MAX_LENGTH = 200;

/**
 * The webhook body. A full phone number in the subject or the evidence is cut to its prefix
 * (the last four digits become ••••, as the console shows numbers): alerts leave the system,
 * so they must not carry a number, whatever a caller passed.
 */
function buildPayload(input: AlertInput): AlertPayload {
  const evidence: AlertEvidence = {};
  for (const [name, value] of Object.entries(input.evidence ?? {})) {
    evidence[name] = typeof value === "string" ? redactPhoneNumbers(value) : value;
  }
  return {
    id: randomUUID(),
    kind: input.kind,
    state: input.state,
    subject: redactPhoneNumbers(input.subject).slice(0, SUBJECT_MAX_LENGTH),
    evidence,
    occurredAt: new Date().toISOString(),
  };
}

export function redactPhoneNumbers(text: string): string {
  return text.replace(/\+\d{7,15}/g, (candidate) =>
    isValidPhoneNumber(candidate) ? `${candidate.slice(0, -4)}••••` : candidate,
  );
}
