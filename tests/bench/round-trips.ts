/**
 * Store round trips per request, counted, for the Redis benches (`npm run bench`): what an accepted
 * send, a sign-in and each kind of refusal cost the store, split into the trips made while the
 * request is answered and the batched writes (throttle events, traffic counts) left for after
 * it. tests/integration/store-round-trips.test.ts asserts the same figures on Redis over TCP.
 *
 * The caller sets the store's environment, and `vi.mock`s `@/lib/auth` (Auth.js's `signIn` needs
 * a Next.js request scope: see tests/support/auth-stand-in.ts), before calling.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sendRequest, solvedCaptchas } from "./send-decision";
import { NextRequest } from "next/server";

/** Reads a running total: round trips, or commands. */
export type Counter = { read(): number };

type Trips = { inRequest: number; afterResponse: number; commands: number };
type Row = { request: string; runs: number; inRequest: number; afterResponse: number; commands?: number };

const RUNS = 10;

export async function reportRoundTrips(
  store: string,
  roundTrips: Counter,
  { commands, networkBase }: { commands?: Counter; networkBase: number },
): Promise<Row[]> {
  const [{ POST: send }, { POST: verify }, { createAltchaChallenge }, { getSandboxEmulator }, events] =
    await Promise.all([
      import("@/app/api/otp/send/route"),
      import("@/app/api/otp/verify/route"),
      import("@/lib/defenses/captcha"),
      import("@/lib/eight-by-eight"),
      import("@/lib/events"),
    ]);
  const emulator = (await getSandboxEmulator())!;
  const captchas = await solvedCaptchas(createAltchaChallenge, 12 * RUNS);
  let counter = 0;
  /** An address in a /48 of its own, so no network limit is met along the way. */
  const ownNetwork = () => `2001:db8:${(networkBase + (counter += 1)).toString(16)}::1`;
  /** Singapore mobile numbers, each in the next of 100 prefixes (a prefix's budget is 10 an hour). */
  const nextPhone = () => {
    counter += 1;
    return `+6581${String(counter % 100).padStart(2, "0")}${String(counter % 10_000).padStart(4, "0")}`;
  };

  /** Trips of `run` before it answers, and those of the writes it leaves behind. */
  async function counted<T>(run: () => Promise<T>): Promise<Trips & { result: T }> {
    await events.flushThrottleEvents();
    const [trips, sent] = [roundTrips.read(), commands?.read() ?? 0];
    const result = await run();
    const answered = roundTrips.read();
    await events.flushThrottleEvents();
    return {
      result,
      inRequest: answered - trips,
      afterResponse: roundTrips.read() - answered,
      commands: (commands?.read() ?? 0) - sent,
    };
  }

  const rows: Row[] = [];
  async function measure(label: string, runs: number, one: () => Promise<Trips>) {
    const row: Row = { request: label, runs, inRequest: 0, afterResponse: 0, commands: commands && 0 };
    for (let run = 0; run < runs; run += 1) {
      const trips = await one();
      row.inRequest += trips.inRequest / runs;
      row.afterResponse += trips.afterResponse / runs;
      if (row.commands !== undefined) row.commands += trips.commands / runs;
    }
    rows.push(row);
  }
  const expectStatus = (response: Response, status: number, what: string) => {
    if (response.status !== status) throw new Error(`${what}: ${response.status}, not ${status}`);
  };

  // Loads the scripts, the operator rules and the hour's key that seals numbers in events.
  await send(sendRequest(ownNetwork(), { phone: nextPhone(), captcha: captchas.take() }));
  await send(sendRequest(ownNetwork(), { phone: nextPhone(), captcha: "forged" }));
  await events.flushThrottleEvents();

  const sent: { phone: string; cookie: string }[] = [];
  await measure("accepted send", RUNS, async () => {
    const phone = nextPhone();
    const trips = await counted(() => send(sendRequest(ownNetwork(), { phone, captcha: captchas.take() })));
    expectStatus(trips.result, 202, "accepted send");
    sent.push({ phone, cookie: trips.result.headers.get("set-cookie")!.split(";")[0]! });
    return trips;
  });
  await measure("verify with the right code (sign-in)", RUNS, async () => {
    const { phone, cookie } = sent.shift()!;
    const code = emulator.listMessages(phone)[0]!.code;
    const trips = await counted(() =>
      verify(
        new NextRequest("http://localhost/api/otp/verify", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Forwarded-For": ownNetwork(), Cookie: cookie },
          body: JSON.stringify({ code }),
        }),
      ),
    );
    expectStatus(trips.result, 200, "verify");
    return trips;
  });

  // A sender that spent its address budget (5 sends), then keeps sending with solved CAPTCHAs.
  const spenders = await Promise.all(
    Array.from({ length: RUNS }, async () => {
      const address = ownNetwork();
      for (let index = 0; index < 5; index += 1) {
        const response = await send(sendRequest(address, { phone: nextPhone(), captcha: captchas.take() }));
        expectStatus(response, 202, "spending an address");
      }
      return address;
    }),
  );
  const refusedBySpent = (address: string) => async () => {
    const trips = await counted(() =>
      send(sendRequest(address, { phone: nextPhone(), captcha: captchas.take() })),
    );
    expectStatus(trips.result, 429, "address limit");
    return trips;
  };
  let first = 0;
  let again = 0;
  await measure("refused by the address limit, first time (solved CAPTCHA)", RUNS, () =>
    refusedBySpent(spenders[first++]!)(),
  );
  await measure("refused by the address limit again (remembered spent)", RUNS, () =>
    refusedBySpent(spenders[again++]!)(),
  );
  await measure("refused for a forged CAPTCHA", RUNS, async () => {
    const trips = await counted(() =>
      send(sendRequest(ownNetwork(), { phone: nextPhone(), captcha: "forged" })),
    );
    expectStatus(trips.result, 403, "forged CAPTCHA");
    return trips;
  });
  // Fewer than a batch's cap (200 events), so the flood shares one write after the responses.
  const FLOOD = 100;
  await measure(`refused for a forged CAPTCHA, ${FLOOD} at once (per refusal)`, 1, async () => {
    const trips = await counted(() =>
      Promise.all(
        Array.from({ length: FLOOD }, () =>
          send(sendRequest(ownNetwork(), { phone: nextPhone(), captcha: "forged" })),
        ),
      ),
    );
    for (const response of trips.result) expectStatus(response, 403, "flood");
    return {
      ...trips,
      inRequest: trips.inRequest / FLOOD,
      afterResponse: trips.afterResponse / FLOOD,
      commands: trips.commands / FLOOD,
    };
  });

  const round = (value: number) => Number(value.toFixed(3));
  const table = rows.map((row) => ({
    ...row,
    inRequest: round(row.inRequest),
    afterResponse: round(row.afterResponse),
    ...(row.commands !== undefined ? { commands: round(row.commands) } : {}),
  }));
  console.log(`\n[bench] store round trips per request, counted: ${store}`);
  console.table(
    Object.fromEntries(
      table.map(({ request, ...counts }) => [
        request,
        {
          "in the request": counts.inRequest,
          "after the response (batched)": counts.afterResponse,
          ...(counts.commands !== undefined ? { "commands (billed)": counts.commands } : {}),
          runs: counts.runs,
        },
      ]),
    ),
  );
  mkdirSync("bench-results", { recursive: true });
  const file = path.join("bench-results", `round-trips-${store.split(" ")[0]!.toLowerCase()}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), store, rows: table }, null, 2));
  return table;
}
