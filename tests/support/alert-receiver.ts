import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedAlert = {
  deliveryId: string | undefined;
  /** Whether the signature matched the body and its timestamp was within five minutes. */
  signatureValid: boolean;
  body: Record<string, unknown>;
};

/** What the receiver answers a request: a status (and headers), or "hold" (no answer until released). */
export type ReceiverAnswer = { status: number; headers?: Record<string, string> } | "hold";

/**
 * A webhook receiver on 127.0.0.1 (a port of its own), verifying each delivery as the README tells
 * receivers to — written here independently of lib/alerts, so a mistake shared by the signer and
 * lib/alerts/signature.ts's verifier would still fail. Answers come from `answers` in order (the
 * last one repeats).
 */
export async function startAlertReceiver(secret: string, answers: ReceiverAnswer[] = [{ status: 200 }]) {
  const received: ReceivedAlert[] = [];
  const held: ServerResponse[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    let raw = "";
    for await (const chunk of request) raw += chunk;
    received.push({
      deliveryId: request.headers["x-otp-shield-delivery"] as string | undefined,
      signatureValid: verify(secret, raw, request.headers["x-otp-shield-signature"] as string | undefined),
      body: JSON.parse(raw) as Record<string, unknown>,
    });
    const answer = answers[Math.min(received.length - 1, answers.length - 1)]!;
    if (answer === "hold") return void held.push(response);
    response.writeHead(answer.status, answer.headers).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/receiver-path-token`,
    received,
    /** Answers every held request with 200. */
    release() {
      for (const response of held.splice(0)) response.writeHead(200).end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of held.splice(0)) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function verify(secret: string, raw: string, header: string | undefined): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (!match) return false;
  const timestamp = Number(match[1]);
  if (Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${match[1]}.${raw}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, "hex"));
}
