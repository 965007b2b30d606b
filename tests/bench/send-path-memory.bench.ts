import { bench, describe } from "vitest";
import { loadSendRoute, refusedSendRequest } from "./send-decision";

// In-process cost of a refused send decision on the in-process store (`npm run bench`).
const { send } = await loadSendRoute();
let counter = 0;
const nextAddress = () => `2001:db8:be:${(counter += 1).toString(16)}::1`;

describe("send path, memory store", () => {
  bench("refused: forged CAPTCHA (the typical pumping bot)", async () => {
    await send(refusedSendRequest(nextAddress()));
  });
  bench("refused: honeypot filled (no store access)", async () => {
    const request = refusedSendRequest(nextAddress());
    const body = JSON.stringify({ phone: "+6581234567", captcha: "x", website: "spam" });
    await send(
      new (request.constructor as typeof Request)(request.url, {
        method: "POST",
        headers: request.headers,
        body,
      }) as never,
    );
  });
});
