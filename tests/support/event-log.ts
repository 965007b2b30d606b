import { createThrottleEventLog, type ThrottleLogSettings } from "@/lib/events/log";
import type { ThrottleEventLog } from "@/lib/events/types";
import type { StoreBackend } from "@/lib/store/types";

const logs = new WeakMap<StoreBackend, ThrottleEventLog>();

/** The throttle event log on `backend`'s connection, one per backend (as the app keeps it). */
export function eventLogOf(
  backend: StoreBackend,
  settings: ThrottleLogSettings = { capacity: 1000, phoneRetentionMs: 3_600_000 },
): ThrottleEventLog {
  let log = logs.get(backend);
  if (!log) {
    log = createThrottleEventLog(backend, settings);
    logs.set(backend, log);
  }
  return log;
}
