import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEightByEightClient } from "@/lib/eight-by-eight/client";
import { EightByEightError, isOperatorError } from "@/lib/eight-by-eight/errors";
import { EightByEightEmulator } from "@/lib/eight-by-eight/sandbox/emulator";
import { serveEmulator, type RunningSandbox } from "@/lib/eight-by-eight/sandbox/server";
import { schemas, validateAgainst } from "../support/openapi";

const API_KEY = "contract-test-key";
const SUB = "contract_hq";

let clock = Date.now();
const emulator = new EightByEightEmulator(API_KEY, SUB, () => clock);
let sandbox: RunningSandbox;
let sentBodies: unknown[] = [];

/** Our real client, with its requests recorded so they can be validated against the spec. */
const recordingFetch: typeof fetch = async (input, init) => {
  if (typeof init?.body === "string") sentBodies.push(JSON.parse(init.body));
  return fetch(input, init);
};

const client = () =>
  createEightByEightClient({
    kind: "sandbox",
    verifyBaseUrl: sandbox.url,
    lookupBaseUrl: sandbox.url,
    apiKey: API_KEY,
    subAccountId: SUB,
    timeoutMs: 1000,
    fetch: recordingFetch,
  });

/** Not 8x8's defaults (4 digits, 300 s, 10 s), so a field that is lost or ignored shows. */
const CODE_LENGTH = 7;
const VALIDITY_SECONDS = 420;
const INTERVAL_SECONDS = 45;

const startInput = (phone: string) => ({
  phone,
  clientIp: "203.0.113.7",
  brand: "Contract",
  codeLength: CODE_LENGTH,
  codeValiditySeconds: VALIDITY_SECONDS,
  resendIntervalSeconds: INTERVAL_SECONDS,
});

/** Runs `body` with the emulator's clock moved on by `seconds`, then puts the clock back. */
async function later<T>(seconds: number, body: () => Promise<T>): Promise<T> {
  clock += seconds * 1000;
  try {
    return await body();
  } finally {
    clock -= seconds * 1000;
  }
}

const sessionsPath = `/api/v2/subaccounts/${SUB}/sessions`;

async function raw(method: string, path: string, body?: unknown, key = API_KEY) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

let counter = 0;
/** A fresh, valid Singapore mobile number per test, so tests never share a session. */
function nextNumber(): string {
  counter += 1;
  return `+659${String(1_000_000 + counter * 7919).slice(-7)}`;
}

beforeAll(async () => {
  sandbox = await serveEmulator(emulator);
});
afterAll(async () => {
  await sandbox.close();
});

describe("8x8 Verify sandbox against the published OpenAPI", () => {
  it("answers a session request with a VerifyResponseV2 and delivers the code to the inbox", async () => {
    const phone = nextNumber();
    sentBodies = [];
    const session = await client().startVerification(startInput(phone));

    expect(sentBodies).toHaveLength(1);
    expect(validateAgainst(schemas.verifyRequest, sentBodies[0])).toEqual([]);
    expect(sentBodies[0]).toMatchObject({ destination: phone, clientIp: "203.0.113.7" });

    const reply = await raw("GET", `${sessionsPath}/${session.sessionId}`);
    expect(reply.status).toBe(200);
    expect(validateAgainst(schemas.verifyResponse, reply.json)).toEqual([]);
    expect(reply.json).toMatchObject({ status: "WAITING", attempt: 0, destination: phone });

    const [message] = emulator.listMessages(phone);
    expect(message?.text).toBe(`Contract: Your verification code is ${message?.code}`);
  });

  it("applies the requested code length, validity and resend interval, and reports them back", async () => {
    const phone = nextNumber();
    const session = await client().startVerification(startInput(phone));

    expect(emulator.listMessages(phone)[0]?.code).toMatch(new RegExp(`^\\d{${CODE_LENGTH}}$`));
    expect(session.expiresAt.getTime() - clock).toBe(VALIDITY_SECONDS * 1000);
    expect(session.resendAfter.getTime() - clock).toBe(INTERVAL_SECONDS * 1000);

    const reply = await raw("GET", `${sessionsPath}/${session.sessionId}`);
    expect(Date.parse(String(reply.json.expiresAt)) - clock).toBe(VALIDITY_SECONDS * 1000);
    expect(Date.parse(String(reply.json.retryAfter)) - clock).toBe(INTERVAL_SECONDS * 1000);

    // A re-send is refused until retryAfter.
    await later(INTERVAL_SECONDS - 1, async () => {
      expect((await raw("POST", sessionsPath, { destination: phone })).status).toBe(403);
    });
    // The code works until the validity ends, and not after.
    const code = emulator.listMessages(phone)[0]!.code;
    const justBefore = await later(VALIDITY_SECONDS - 1, () =>
      raw("GET", `${sessionsPath}/${session.sessionId}`),
    );
    expect(justBefore.json.status).toBe("WAITING");
    await later(VALIDITY_SECONDS, async () => {
      expect((await client().checkCode(session.sessionId, code)).status).toBe("expired");
    });
  });

  it("verifies the right code, counts wrong ones and fails the session at the fifth", async () => {
    const api = client();
    const right = await api.startVerification(startInput(nextNumber()));
    const code = emulator.listMessages(right.destination)[0]!.code;
    expect((await api.checkCode(right.sessionId, code)).status).toBe("verified");

    const wrong = await api.startVerification(startInput(nextNumber()));
    const attempts = [];
    for (let index = 0; index < 5; index += 1) attempts.push(await api.checkCode(wrong.sessionId, "000000"));
    expect(attempts.map((session) => session.failedAttempts)).toEqual([1, 2, 3, 4, 5]);
    expect(attempts.map((session) => session.status)).toEqual([
      "waiting",
      "waiting",
      "waiting",
      "waiting",
      "failed",
    ]);
    const realCode = emulator.listMessages(wrong.destination)[0]!.code;
    expect((await api.checkCode(wrong.sessionId, realCode)).status).toBe("failed");
  });

  it("expires a session after codeValidity, and the right code no longer works", async () => {
    const api = client();
    const session = await api.startVerification(startInput(nextNumber()));
    const code = emulator.listMessages(session.destination)[0]!.code;
    await later(VALIDITY_SECONDS + 1, async () => {
      expect((await api.checkCode(session.sessionId, code)).status).toBe("expired");
    });
  });

  it("refuses a re-send inside resendingInterval with 403, then re-sends the same code in the same session", async () => {
    const api = client();
    const phone = nextNumber();
    const first = await api.startVerification(startInput(phone));
    await api.checkCode(first.sessionId, "000000");

    const tooSoon = await raw("POST", sessionsPath, { destination: phone });
    expect(tooSoon.status).toBe(403);
    expect(validateAgainst(schemas.verifyError, tooSoon.json)).toEqual([]);
    expect(tooSoon.json.code).toBe(1400);
    await expect(api.startVerification(startInput(phone))).rejects.toMatchObject({ kind: "resend_too_soon" });
    expect(emulator.listMessages(phone)).toHaveLength(1);

    await later(INTERVAL_SECONDS, async () => {
      const again = await api.startVerification(startInput(phone));
      expect(again.sessionId).toBe(first.sessionId);
      expect(again.failedAttempts).toBe(1);
      const [latest, original] = emulator.listMessages(phone);
      expect(latest?.code).toBe(original?.code);
      expect(again.expiresAt.getTime() - clock).toBe(VALIDITY_SECONDS * 1000);
    });
  });

  it("with resetSession, sends a new code and re-initialises the same session; the old code stops working", async () => {
    const api = client();
    const phone = nextNumber();
    const first = await api.startVerification(startInput(phone));
    const oldCode = emulator.listMessages(phone)[0]!.code;
    await api.checkCode(first.sessionId, "000000");
    await api.checkCode(first.sessionId, "000001");

    await later(INTERVAL_SECONDS + 60, async () => {
      const reset = await api.startVerification({ ...startInput(phone), codeLength: 5, resetSession: true });
      const [message] = emulator.listMessages(phone);
      expect(emulator.listMessages(phone)).toHaveLength(2);
      expect(message?.code).not.toBe(oldCode);
      expect(message?.code).toMatch(/^\d{5}$/);
      expect(reset).toMatchObject({ sessionId: first.sessionId, status: "waiting", failedAttempts: 0 });
      expect(reset.expiresAt.getTime() - clock).toBe(VALIDITY_SECONDS * 1000);

      expect(await api.checkCode(first.sessionId, oldCode)).toMatchObject({
        status: "waiting",
        failedAttempts: 1,
      });
      expect((await api.checkCode(first.sessionId, message!.code)).status).toBe("verified");
    });
  });

  it.each([
    { state: "VERIFIED", finish: (id: string, code: string) => client().checkCode(id, code) },
    {
      state: "FAILED",
      finish: async (id: string) => {
        for (let index = 0; index < 5; index += 1) await client().checkCode(id, "000000");
      },
    },
  ])(
    "holds the next send back for resendingInterval after a $state session, then starts a new one",
    async ({ state, finish }) => {
      const phone = nextNumber();
      const first = await client().startVerification(startInput(phone));
      await finish(first.sessionId, emulator.listMessages(phone)[0]!.code);

      for (const resetSession of [false, true]) {
        const tooSoon = await raw("POST", sessionsPath, { destination: phone, resetSession });
        expect(tooSoon.status).toBe(403);
        expect(tooSoon.json.code).toBe(1400);
      }
      expect(emulator.listMessages(phone)).toHaveLength(1);

      await later(INTERVAL_SECONDS, async () => {
        const next = await client().startVerification({ ...startInput(phone), resetSession: true });
        expect(next.sessionId).not.toBe(first.sessionId);
        expect(next).toMatchObject({ status: "waiting", failedAttempts: 0 });
        // A finished session is never reopened: the old one keeps its final status.
        const old = await raw("GET", `${sessionsPath}/${first.sessionId}`);
        expect(old.json.status).toBe(state);
      });
    },
  );

  it("holds the next send back after an EXPIRED session too, when the interval outlasts the validity", async () => {
    const phone = nextNumber();
    const first = await client().startVerification({
      ...startInput(phone),
      codeValiditySeconds: 30,
      resendIntervalSeconds: 120,
    });
    await later(60, async () => {
      expect((await raw("GET", `${sessionsPath}/${first.sessionId}`)).json.status).toBe("EXPIRED");
      expect((await raw("POST", sessionsPath, { destination: phone })).status).toBe(403);
    });
    await later(120, async () => {
      const next = await raw("POST", sessionsPath, { destination: phone });
      expect(next.status).toBe(200);
      expect(next.json.sessionId).not.toBe(first.sessionId);
    });
  });

  it("leaves no index entry behind for a session evicted at capacity", async () => {
    const small = new EightByEightEmulator(API_KEY, SUB, () => clock, { sessionCapacity: 3 });
    const create = (destination: string) =>
      small.handle(
        "POST",
        sessionsPath,
        new URLSearchParams(),
        `Bearer ${API_KEY}`,
        JSON.stringify({ destination }),
      );
    const numbers = Array.from({ length: 8 }, () => nextNumber());
    for (const phone of numbers) expect(create(phone).status).toBe(200);
    expect(small.stats()).toEqual({ sessions: 3, indexedDestinations: 3 });

    // The evicted numbers start afresh; the ones still held are refused inside the interval.
    expect(create(numbers[0]!).status).toBe(200);
    expect(create(numbers[7]!).status).toBe(403);
    expect(small.stats()).toEqual({ sessions: 3, indexedDestinations: 3 });
  });

  it("answers errors with the documented envelope and codes", async () => {
    const cases = [
      {
        call: raw("POST", `/api/v2/subaccounts/${SUB}/sessions`, { destination: nextNumber() }, "wrong"),
        status: 401,
        code: 1200,
      },
      {
        call: raw("GET", `/api/v2/subaccounts/${SUB}/sessions/ffffffffffffffffffffffffffffffff`),
        status: 404,
        code: 1404,
      },
      {
        call: raw("POST", `/api/v2/subaccounts/${SUB}/sessions`, { destination: "12" }),
        status: 400,
        code: 1002,
      },
      {
        call: raw("POST", `/api/v2/subaccounts/other_hq/sessions`, { destination: nextNumber() }),
        status: 400,
        code: 1001,
      },
      {
        call: raw("POST", `/api/v2/subaccounts/${SUB}/sessions`, {
          destination: nextNumber(),
          codeLength: 11,
        }),
        status: 400,
        code: 1010,
      },
    ];
    for (const { call, status, code } of cases) {
      const reply = await call;
      expect(reply.status).toBe(status);
      expect(reply.json.code).toBe(code);
      expect(validateAgainst(schemas.verifyError, reply.json)).toEqual([]);
    }
  });

  it("maps HTTP errors to typed client errors without leaking vendor ids into messages", async () => {
    const badKey = createEightByEightClient({
      kind: "sandbox",
      verifyBaseUrl: sandbox.url,
      lookupBaseUrl: sandbox.url,
      apiKey: "wrong",
      subAccountId: SUB,
      timeoutMs: 1000,
    });
    await expect(badKey.startVerification(startInput(nextNumber()))).rejects.toMatchObject({
      kind: "unauthorized",
    });
    await expect(client().startVerification(startInput("+12"))).rejects.toMatchObject({
      kind: "invalid_number",
    });
    await expect(client().checkCode("nope", "123456")).rejects.toMatchObject({ kind: "not_found" });
  });
});

describe("8x8 Number Lookup sandbox against the published OpenAPI", () => {
  it("returns the format lookup of a number in the documented shape", async () => {
    const reply = await raw("GET", `/api/v1/subaccounts/${SUB}/phones/%2B6591234567?type=format`);
    expect(reply.status).toBe(200);
    expect(validateAgainst(schemas.lookupResponse, reply.json)).toEqual([]);
    expect(reply.json).toMatchObject({ phoneNumber: "+6591234567", phoneType: "Mobile", country: "SG" });

    const info = await client().lookupNumber("+19005550100");
    expect(info).toEqual({ e164: "+19005550100", country: "US", lineType: "premium_rate" });
  });

  it("answers an unreadable number with 400 and code 1002", async () => {
    const reply = await raw("GET", `/api/v1/subaccounts/${SUB}/phones/abc`);
    expect(reply.status).toBe(400);
    expect(reply.json.code).toBe(1002);
  });

  it.each([
    ["+12025550101", "Mobile", "mobile"],
    ["+12025550125", "FixedLine", "fixed_line"],
    ["+16135550144", "VoIP", "voip"],
    ["+12025550166", "PremiumRate", "premium_rate"],
    ["+12025550177", "Unknown", "unknown"],
    ["+12025550188", "FixedLineOrMobile", "fixed_line_or_mobile"],
    ["+12025550299", "FixedLineOrMobile", "fixed_line_or_mobile"], // outside the fixtures' range
  ])("answers the fixture for %s as %s in the documented shape", async (phone, phoneType, lineType) => {
    const reply = await raw("GET", `/api/v1/subaccounts/${SUB}/phones/${encodeURIComponent(phone)}`);
    expect(reply.status).toBe(200);
    expect(validateAgainst(schemas.lookupResponse, reply.json)).toEqual([]);
    expect(reply.json).toMatchObject({ phoneNumber: phone, phoneType, status: { state: "ok" } });
    expect(await client().lookupNumber(phone)).toMatchObject({ e164: phone, lineType });
  });

  it("answers the invalid fixture with 400 / 1002, which the client calls invalid_number", async () => {
    await expect(client().lookupNumber("+12025550195")).rejects.toMatchObject({
      kind: "invalid_number",
      details: { httpStatus: 400, vendorCode: 1002 },
    });
  });

  it("answers a paid lookup without a pricing plan with code 2006, an operator problem", async () => {
    const reply = await raw("GET", `/api/v1/subaccounts/${SUB}/phones/%2B6591234567?type=operator`);
    expect(validateAgainst(schemas.lookupResponse, reply.json)).toEqual([]);
    const error = await client()
      .lookupNumber("+6591234567", "operator")
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "misconfigured", details: { vendorCode: 2006 } });
    expect(isOperatorError((error as EightByEightError).kind)).toBe(true);
  });

  it("keeps the line type of a live lookup the operator's network could not answer (6000–6005)", async () => {
    const liveError = (errorCode: number) => ({
      requestId: "5611682f-4ecb-4c62-b685-ac8a0101abe9",
      phoneNumber: "6285611111111",
      phoneType: "Mobile",
      country: "ID",
      status: { state: "error", timestamp: "2020-12-07T07:38:11.43Z", errorCode, errorMessage: "…" },
    });
    const answering = (body: unknown) =>
      createEightByEightClient({
        kind: "8x8",
        verifyBaseUrl: "http://127.0.0.1:9",
        lookupBaseUrl: "http://127.0.0.1:9",
        apiKey: API_KEY,
        subAccountId: SUB,
        timeoutMs: 1000,
        fetch: async () => Response.json(body),
      });
    await expect(answering(liveError(6001)).lookupNumber("+6285611111111", "live")).resolves.toEqual({
      e164: "+6285611111111",
      country: "ID",
      lineType: "mobile",
    });
    await expect(answering(liveError(2004)).lookupNumber("+6285611111111", "live")).rejects.toMatchObject({
      kind: "unavailable",
      details: { vendorCode: 2004 },
    });
  });
});

describe("sandbox faults and the client's failure handling", () => {
  it("turns 429 with Retry-After into rate_limited with the delay", async () => {
    const phone = nextNumber();
    emulator.addFault({ kind: "rate_limit", destination: phone, times: 1, retryAfterSeconds: 7 });
    const error = await client()
      .startVerification(startInput(phone))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EightByEightError);
    expect(error).toMatchObject({ kind: "rate_limited", details: { httpStatus: 429, retryAfterSeconds: 7 } });
    expect(emulator.listMessages(phone)).toHaveLength(0);
  });

  it.each([
    { status: 403, code: 1400, kind: "resend_too_soon", operator: false },
    { status: 403, code: 1201, kind: "misconfigured", operator: true },
    { status: 403, code: 1200, kind: "misconfigured", operator: true },
    { status: 400, code: 1001, kind: "misconfigured", operator: true },
    { status: 410, code: 2002, kind: "misconfigured", operator: true },
    { status: 426, code: 1014, kind: "misconfigured", operator: true },
    { status: 401, code: 1200, kind: "unauthorized", operator: true },
    { status: 400, code: 1010, kind: "invalid_request", operator: true },
    { status: 400, code: 1002, kind: "invalid_number", operator: false },
  ])("turns HTTP $status with code $code into $kind", async ({ status, code, kind, operator }) => {
    const phone = nextNumber();
    emulator.addFault({ kind: "http_error", status, code, destination: phone, times: 1 });
    const error = await client()
      .startVerification(startInput(phone))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EightByEightError);
    const failure = error as EightByEightError;
    expect(failure).toMatchObject({ kind, details: { httpStatus: status, vendorCode: code } });
    expect(failure.details.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(isOperatorError(failure.kind)).toBe(operator);
    expect(emulator.listMessages(phone)).toHaveLength(0);
  });

  it("refuses a code check with 403 / 1201 as misconfigured, not as a user retrying too soon", async () => {
    const phone = nextNumber();
    const session = await client().startVerification(startInput(phone));
    emulator.addFault({
      kind: "http_error",
      status: 403,
      code: 1201,
      operation: "check",
      destination: phone,
      times: 1,
    });
    await expect(client().checkCode(session.sessionId, "000000")).rejects.toMatchObject({
      kind: "misconfigured",
    });
  });

  it("turns 5xx, malformed JSON and a hang into unavailable, each after exactly one request", async () => {
    for (const kind of ["server_error", "malformed", "hang"] as const) {
      const phone = nextNumber();
      emulator.addFault({ kind, destination: phone, times: 1 });
      const before = emulator.requestCounts.create;
      const started = Date.now();
      await expect(client().startVerification(startInput(phone))).rejects.toMatchObject({
        kind: "unavailable",
      });
      expect(emulator.requestCounts.create - before).toBe(1);
      if (kind === "hang") expect(Date.now() - started).toBeLessThan(5000);
    }
  });

  it("answers slowly but correctly under the slow fault", async () => {
    const phone = nextNumber();
    emulator.addFault({ kind: "slow", destination: phone, times: 1, delayMs: 300 });
    const started = Date.now();
    const session = await client().startVerification(startInput(phone));
    expect(session.status).toBe("waiting");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
