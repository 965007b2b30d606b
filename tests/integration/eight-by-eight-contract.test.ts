import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEightByEightClient } from "@/lib/eight-by-eight/client";
import { EightByEightError } from "@/lib/eight-by-eight/errors";
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

const startInput = (phone: string) => ({
  phone,
  clientIp: "203.0.113.7",
  brand: "Contract",
  codeLength: 6,
  codeValiditySeconds: 300,
  resendIntervalSeconds: 30,
});

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
    expect(sentBodies[0]).toMatchObject({ destination: phone, clientIp: "203.0.113.7", codeLength: 6 });

    const reply = await raw("GET", `/api/v2/subaccounts/${SUB}/sessions/${session.sessionId}`);
    expect(reply.status).toBe(200);
    expect(validateAgainst(schemas.verifyResponse, reply.json)).toEqual([]);
    expect(reply.json).toMatchObject({ status: "WAITING", attempt: 0, destination: phone });

    const [message] = emulator.listMessages(phone);
    expect(message?.code).toMatch(/^\d{6}$/);
    expect(message?.text).toBe(`Contract: Your verification code is ${message?.code}`);
    expect(session.resendAfter.getTime() - clock).toBe(30_000);
    expect(session.expiresAt.getTime() - clock).toBe(300_000);
  });

  it("accepts national numbers with country and international ones without +, as 8x8 documents", async () => {
    const national = await raw("POST", `/api/v2/subaccounts/${SUB}/sessions`, {
      destination: "8765 4321",
      country: "SG",
    });
    expect(national.status).toBe(200);
    expect(national.json.destination).toBe("+6587654321");

    const noPlus = await raw("POST", `/api/v2/subaccounts/${SUB}/sessions`, { destination: "6598765431" });
    expect(noPlus.status).toBe(200);
    expect(noPlus.json.destination).toBe("+6598765431");
    expect(emulator.listMessages("+6587654321")[0]?.code).toMatch(/^\d{4}$/); // 8x8's default length
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
    clock += 301_000;
    try {
      expect((await api.checkCode(session.sessionId, code)).status).toBe("expired");
    } finally {
      clock -= 301_000;
    }
  });

  it("refuses a re-send inside resendingInterval with 403, then re-sends the same code in the same session", async () => {
    const api = client();
    const phone = nextNumber();
    const first = await api.startVerification(startInput(phone));

    const tooSoon = await raw("POST", `/api/v2/subaccounts/${SUB}/sessions`, {
      destination: phone,
      resendingInterval: 30,
    });
    expect(tooSoon.status).toBe(403);
    expect(validateAgainst(schemas.verifyError, tooSoon.json)).toEqual([]);
    expect(tooSoon.json.code).toBe(1400);
    await expect(api.startVerification(startInput(phone))).rejects.toMatchObject({ kind: "resend_too_soon" });

    clock += 31_000;
    try {
      const again = await api.startVerification(startInput(phone));
      expect(again.sessionId).toBe(first.sessionId);
      const [latest, original] = emulator.listMessages(phone);
      expect(latest?.code).toBe(original?.code);
      expect(again.expiresAt.getTime()).toBeGreaterThan(first.expiresAt.getTime());

      clock += 31_000;
      await api.startVerification({ ...startInput(phone), resetSession: true });
      const [reset] = emulator.listMessages(phone);
      expect(emulator.listMessages(phone)).toHaveLength(3);
      expect(reset?.sessionId).toBe(first.sessionId);
    } finally {
      clock -= 62_000;
    }
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
