import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { DELIVERIES_KEY, createAlertDispatcher, type AlertDispatcherSettings } from "@/lib/alerts/dispatcher";
import type { DeliveryRecord } from "@/lib/alerts/kinds";
import { createBackend } from "@/lib/store/create-backend";
import { createMemoryKeyValueStore } from "@/lib/store/memory-store";
import type { KeyValueStore, StoreBackend } from "@/lib/store/types";
import { startAlertReceiver } from "../support/alert-receiver";
import { isRedisReachable, REDIS_URL, uniquePrefix } from "../support/redis";

/**
 * Alert delivery over real HTTP to a local receiver that checks every signature. Each test has its
 * own receiver, store and dispatcher; waits between attempts are a few milliseconds.
 */
const secret = "alert-test-secret-".padEnd(48, "k");
const fastTiming = {
  maxAttempts: 3,
  timeoutMs: 2000,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  retryAfterCapMs: 50,
};

const receivers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  vi.restoreAllMocks();
});

async function receiver(...answers: Parameters<typeof startAlertReceiver>[1] & object) {
  const started = await startAlertReceiver(secret, answers.length > 0 ? answers : undefined);
  receivers.push(started);
  return started;
}

function dispatcherFor(url: string | null, overrides: Partial<AlertDispatcherSettings> = {}) {
  const kv = createMemoryKeyValueStore();
  const dispatcher = createAlertDispatcher({
    webhook: url ? { url, secret } : null,
    queueCapacity: 10,
    timing: fastTiming,
    store: () => kv,
    ...overrides,
  });
  return { dispatcher, kv };
}

/** Each alert's newest status record, as the console reads them. */
async function statuses(kv: KeyValueStore): Promise<Map<string, DeliveryRecord>> {
  const newest = new Map<string, DeliveryRecord>();
  for (const record of await kv.readList<DeliveryRecord>(DELIVERIES_KEY, 0, 500)) {
    if (!newest.has(record.id)) newest.set(record.id, record);
  }
  return newest;
}

async function settle(kv: KeyValueStore, id: string, status: DeliveryRecord["status"]) {
  await vi.waitFor(async () => expect((await statuses(kv)).get(id)?.status).toBe(status));
  return (await statuses(kv)).get(id)!;
}

describe("alert delivery", () => {
  it("posts a signed JSON alert with its delivery id, and records it delivered", async () => {
    const hook = await receiver({ status: 204 });
    const { dispatcher, kv } = dispatcherFor(hook.url);
    const job = dispatcher.accept({
      kind: "auto_block",
      state: "started",
      subject: "+6581",
      evidence: { sendsInHour: 42, rule: "send.prefix" },
    });
    await job.run();

    expect(hook.received).toHaveLength(1);
    const [delivery] = hook.received;
    expect(delivery!.signatureValid).toBe(true);
    expect(delivery!.deliveryId).toBe(job.payload.id);
    expect(delivery!.body).toEqual({
      id: job.payload.id,
      kind: "auto_block",
      state: "started",
      subject: "+6581",
      evidence: { sendsInHour: 42, rule: "send.prefix" },
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const record = await settle(kv, job.payload.id, "delivered");
    expect(record).toMatchObject({ attempts: 1, lastHttpStatus: 204, lastError: null });
  });

  it("retries after a 500 with the same delivery id and a fresh signature, then records success", async () => {
    const hook = await receiver({ status: 500 }, { status: 200 });
    const { dispatcher, kv } = dispatcherFor(hook.url);
    const job = dispatcher.accept({ kind: "spend_budget", state: "started", subject: "daily SMS spend" });
    await job.run();

    expect(hook.received.map((delivery) => delivery.deliveryId)).toEqual([job.payload.id, job.payload.id]);
    expect(hook.received.every((delivery) => delivery.signatureValid)).toBe(true);
    const records = await kv.readList<DeliveryRecord>(DELIVERIES_KEY, 0, 10);
    expect(records.map((record) => record.status)).toEqual(["delivered", "pending", "pending"]);
    expect(records[1]).toMatchObject({
      attempts: 1,
      lastHttpStatus: 500,
      lastError: "the receiver answered 500",
    });
    expect(records[0]).toMatchObject({ attempts: 2, lastHttpStatus: 200 });
  });

  it("retries a 429 after its Retry-After", async () => {
    const hook = await receiver({ status: 429, headers: { "Retry-After": "0" } }, { status: 200 });
    const { dispatcher, kv } = dispatcherFor(hook.url);
    const job = dispatcher.accept({ kind: "auto_block", state: "started", subject: "SG" });
    await job.run();
    expect(hook.received).toHaveLength(2);
    expect(await settle(kv, job.payload.id, "delivered")).toMatchObject({ attempts: 2 });
  });

  it("does not retry a 400, and records the failure with the receiver's status", async () => {
    const hook = await receiver({ status: 400 });
    const { dispatcher, kv } = dispatcherFor(hook.url);
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const job = dispatcher.accept({ kind: "auto_block", state: "started", subject: "+6582" });
    await job.run();

    expect(hook.received).toHaveLength(1);
    expect(await settle(kv, job.payload.id, "failed")).toMatchObject({
      attempts: 1,
      lastHttpStatus: 400,
      lastError: "the receiver answered 400",
    });
    expect(errors).toHaveBeenCalledWith(
      `[otp-shield] alert not delivered to ${new URL(hook.url).origin}`,
      expect.objectContaining({ id: job.payload.id, attempts: 1 }),
    );
  });

  it("gives up after the configured attempts and records it failed", async () => {
    const hook = await receiver({ status: 503 });
    const { dispatcher, kv } = dispatcherFor(hook.url, { timing: { ...fastTiming, maxAttempts: 4 } });
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const job = dispatcher.accept({ kind: "attack_mode", state: "started", subject: "sends" });
    await job.run();

    expect(hook.received).toHaveLength(4);
    expect(await settle(kv, job.payload.id, "failed")).toMatchObject({
      attempts: 4,
      lastHttpStatus: 503,
      lastError: "the receiver answered 503",
    });
  });

  it("says in words when the receiver cannot be reached or does not answer in time", async () => {
    const closed = await receiver();
    const unreachable = closed.url;
    await closed.close();
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const refused = dispatcherFor(unreachable, { timing: { ...fastTiming, maxAttempts: 2 } });
    const first = refused.dispatcher.accept({ kind: "auto_block", state: "started", subject: "+6583" });
    await first.run();
    expect(await settle(refused.kv, first.payload.id, "failed")).toMatchObject({
      attempts: 2,
      lastHttpStatus: null,
      lastError: "could not reach the receiver (ECONNREFUSED)",
    });

    const silent = await receiver("hold");
    const slow = dispatcherFor(silent.url, { timing: { ...fastTiming, maxAttempts: 1, timeoutMs: 200 } });
    const second = slow.dispatcher.accept({ kind: "auto_block", state: "started", subject: "+6584" });
    await second.run();
    expect(await settle(slow.kv, second.payload.id, "failed")).toMatchObject({
      lastError: "no answer within 0.2 s",
    });
  });

  it("records alerts as not configured, and sends nothing, without a webhook", async () => {
    const { dispatcher, kv } = dispatcherFor(null);
    const job = dispatcher.accept({ kind: "auto_block", state: "started", subject: "+6585" });
    await job.run();
    expect(await settle(kv, job.payload.id, "not_configured")).toMatchObject({ attempts: 0 });
  });

  it("never sends a full phone number, even when a caller passes one", async () => {
    const hook = await receiver();
    const { dispatcher } = dispatcherFor(hook.url);
    await dispatcher.raise({
      kind: "auto_block",
      state: "started",
      subject: "+6581234567",
      evidence: { lastNumber: "sent to +6581234568 from 203.0.113.9", prefix: "+658123" },
    });
    expect(hook.received[0]!.body).toMatchObject({
      subject: "+658123••••",
      evidence: { lastNumber: "sent to +658123•••• from 203.0.113.9", prefix: "+658123" },
    });
  });
});

describe("alert queue", () => {
  it("keeps at most its capacity waiting, drops the oldest waiting alert and counts it", async () => {
    const hook = await receiver("hold", { status: 200 });
    const { dispatcher, kv } = dispatcherFor(hook.url, { queueCapacity: 2 });
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const [first, second, third, fourth] = ["+6591", "+6592", "+6593", "+6594"].map((subject) =>
      dispatcher.accept({ kind: "auto_block", state: "started", subject }),
    ) as [ReturnType<typeof dispatcher.accept>, ...ReturnType<typeof dispatcher.accept>[]];
    const firstDone = first.run();
    await vi.waitFor(() => expect(hook.received).toHaveLength(1)); // in flight, not waiting
    const rest = [second!.run(), third!.run()];
    await vi.waitFor(async () => expect((await statuses(kv)).get(third!.payload.id)?.status).toBe("pending"));
    rest.push(fourth!.run());

    expect(await settle(kv, second!.payload.id, "dropped")).toMatchObject({ droppedByInstance: 1 });
    expect(dispatcher.droppedCount()).toBe(1);
    expect(warnings).toHaveBeenCalledWith(expect.stringContaining(`dropped alert ${second!.payload.id}`));

    hook.release();
    await Promise.all([firstDone, ...rest]);
    expect(hook.received.map((delivery) => delivery.body.subject)).toEqual(["+6591", "+6593", "+6594"]);
    for (const job of [first, third!, fourth!]) await settle(kv, job.payload.id, "delivered");
  });

  it("gives deliveries a bounded time at shutdown, then records what is left as failed", async () => {
    const hook = await receiver("hold");
    const { dispatcher, kv } = dispatcherFor(hook.url);
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const inFlight = dispatcher.accept({ kind: "auto_block", state: "started", subject: "+6595" });
    const waiting = dispatcher.accept({ kind: "auto_block", state: "started", subject: "+6596" });
    void inFlight.run();
    void waiting.run();
    await vi.waitFor(() => expect(hook.received).toHaveLength(1));

    await dispatcher.flush(100);
    expect(await settle(kv, inFlight.payload.id, "failed")).toMatchObject({
      lastError: "the server stopped first",
    });
    expect(await settle(kv, waiting.payload.id, "failed")).toMatchObject({
      lastError: "the server stopped before it was sent",
    });
  });
});

const redisReachable = await isRedisReachable();
const redisBackends: StoreBackend[] = [];
afterAll(async () => {
  await Promise.all(redisBackends.map((backend) => backend.close()));
});

const stores: { name: string; available: boolean; create: () => KeyValueStore }[] = [
  { name: "one instance (memory)", available: true, create: () => createMemoryKeyValueStore() },
  {
    name: "two instances sharing Redis",
    available: redisReachable,
    create: () => {
      const backend = createBackend({
        kind: "redis",
        url: REDIS_URL,
        timeoutMs: 2000,
        keyPrefix: uniquePrefix("alerts"),
      });
      redisBackends.push(backend);
      return backend.kv;
    },
  },
];

it("runs the shared-Redis deduplication wherever Redis is reachable, and CI always has it", () => {
  if (!redisReachable)
    console.warn(`Redis at ${REDIS_URL} is not reachable: the shared-Redis case did not run.`);
  if (process.env.CI) expect(redisReachable, "CI must run the Redis case").toBe(true);
});

for (const { name, available, create } of stores) {
  describe.runIf(available)(`alert deduplication: ${name}`, () => {
    it("sends one started alert while its subject is active, one ended, and a started again after it", async () => {
      const hook = await receiver();
      const kv = create();
      const settings = {
        webhook: { url: hook.url, secret },
        queueCapacity: 10,
        timing: fastTiming,
        store: () => kv,
      };
      // Two dispatchers: two instances of the app, sharing the store.
      const instances = [createAlertDispatcher(settings), createAlertDispatcher(settings)];
      const alert = { kind: "auto_block", subject: "+6597" } as const;

      const first = instances[0]!.accept({ ...alert, state: "started" });
      await Promise.all([first.run(), instances[1]!.raise({ ...alert, state: "started" })]);
      await instances[0]!.raise({ ...alert, state: "started" });
      await Promise.all(instances.map((instance) => instance.raise({ ...alert, state: "ended" })));
      await instances[1]!.raise({ ...alert, state: "ended" });
      await instances[1]!.raise({ ...alert, state: "started" });

      expect(hook.received.map((delivery) => delivery.body.state)).toEqual(["started", "ended", "started"]);
      expect(hook.received[1]!.body.evidence).toMatchObject({
        startedId: hook.received[0]!.body.id,
        startedAt: hook.received[0]!.body.occurredAt,
      });
    });

    it("sends every test alert: they are never deduplicated", async () => {
      const hook = await receiver();
      const kv = create();
      const dispatcher = createAlertDispatcher({
        webhook: { url: hook.url, secret },
        queueCapacity: 10,
        timing: fastTiming,
        store: () => kv,
      });
      for (let index = 0; index < 2; index += 1)
        await dispatcher.raise({ kind: "test", state: "started", subject: "test" });
      expect(hook.received).toHaveLength(2);
    });
  });
}

it("never writes the secret or the webhook's path to the console, only its origin", async () => {
  const logged: string[] = [];
  for (const method of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
    });
  }
  const failing = await receiver({ status: 500 });
  const { dispatcher } = dispatcherFor(failing.url, { queueCapacity: 1 });
  const jobs = ["+6598", "+6599", "+6590"].map((subject) =>
    dispatcher.accept({ kind: "auto_block", state: "started", subject }),
  );
  await Promise.all(jobs.map((job) => job.run()));

  expect(logged.some((line) => line.includes(new URL(failing.url).origin))).toBe(true);
  expect(logged.some((line) => line.includes("dropped alert"))).toBe(true);
  for (const line of logged) {
    expect(line).not.toContain(secret);
    expect(line).not.toContain("receiver-path-token");
  }
});
