import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { flushAlerts } from "@/lib/alerts";
import { isAttackModeOn, turnOnAttackMode } from "@/lib/defenses/captcha";
import { startAlertReceiver } from "../support/alert-receiver";

/**
 * Attack mode's alerts through the app's own dispatcher and store, to a local receiver. The clock
 * is moved by hand (only `Date`), so the flag's ten minutes pass in an instant.
 */
const secret = "attack-mode-alert-secret-0123456789abcdef";
const hook = await startAlertReceiver(secret);
process.env.ALERT_WEBHOOK_URL = hook.url;
process.env.ALERT_WEBHOOK_SECRET = secret;

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
});
afterAll(async () => {
  vi.useRealTimers();
  await hook.close();
});

const minutes = (count: number) => vi.setSystemTime(Date.now() + count * 60_000);
const states = () => hook.received.map((delivery) => `${delivery.body.kind} ${delivery.body.state}`);

describe("attack mode alerts", () => {
  it("says once that attack mode started, however often sends keep it on, and once that it ended", async () => {
    hook.received.length = 0;
    await turnOnAttackMode();
    await turnOnAttackMode();
    minutes(0.5);
    await turnOnAttackMode(); // keeps it on: the flag exists, nothing is announced
    expect(await isAttackModeOn()).toBe(true);
    await flushAlerts();
    expect(states()).toEqual(["attack_mode started"]);
    expect(hook.received[0]).toMatchObject({
      signatureValid: true,
      body: { subject: "sends", evidence: { sendsPerMinuteAbove: 30, offAfterQuietMinutes: 10 } },
    });

    minutes(9.7); // 10 minutes after the last turn-on, not yet after the first: still on
    expect(await isAttackModeOn()).toBe(true);
    minutes(0.5);
    expect(await isAttackModeOn()).toBe(false);
    expect(await isAttackModeOn()).toBe(false);
    await flushAlerts();
    expect(states()).toEqual(["attack_mode started", "attack_mode ended"]);
    expect(hook.received[1]!.body.evidence).toMatchObject({ startedId: hook.received[0]!.body.id });
  });

  it("ends an attack whose end no request observed before it announces the next one", async () => {
    hook.received.length = 0;
    minutes(1);
    await turnOnAttackMode();
    await flushAlerts();
    minutes(11); // the flag expires; nothing reads it
    await turnOnAttackMode();
    await flushAlerts();
    expect(states()).toEqual(["attack_mode started", "attack_mode ended", "attack_mode started"]);
    expect(hook.received[1]!.body.evidence).toMatchObject({ observed: "when attack mode started again" });
  });
});
