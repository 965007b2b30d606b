import "server-only";
import { getEnv } from "@/lib/env";
import { getBackend, type StoreBackend } from "@/lib/store";
import { createMemoryThrottleLog } from "./memory-log";
import { createRedisThrottleLog } from "./redis-log";
import type { ThrottleEventLog } from "./types";

export type ThrottleLogSettings = {
  capacity: number;
  phoneRetentionMs: number;
  /** Traffic records kept for backtests; `config.backtest.recordsKept` unless given (tests). */
  trafficRecords?: number;
};

/** The throttle event log kept on `backend`'s connection: in its memory, or beside its keys on Redis. */
export function createThrottleEventLog(
  backend: StoreBackend,
  settings: ThrottleLogSettings,
): ThrottleEventLog {
  const { connection } = backend;
  return connection.kind === "memory"
    ? createMemoryThrottleLog(settings)
    : createRedisThrottleLog({ ...connection, ...settings });
}

/** One log per backend: a backend closed and reopened (tests, recovery) gets a fresh one. */
const logs = new WeakMap<StoreBackend, ThrottleEventLog>();

/** The log of the process-wide backend. */
export function getThrottleEventLog(): ThrottleEventLog {
  const backend = getBackend();
  let log = logs.get(backend);
  if (!log) {
    log = createThrottleEventLog(backend, getEnv().throttleLog);
    logs.set(backend, log);
  }
  return log;
}
