import { afterEach, describe, expect, it } from "vitest";
import { PEER_HEADER, resolveRequestClientIp } from "@/lib/client-ip/request";

/**
 * A request as `npm start` (lib/node-server.mjs) hands it to a route: stamped with the process's
 * token and the TCP peer. Vitest runs with no client-IP setting, whose development default is the
 * same strategy as the `one-proxy` preset (rightmost-trusted-count 1). A non-loopback peer cannot
 * be created on this machine's loopback-only test network, so the stamp is built here.
 */
function stampedRequest(peer: string, forwardedFor: string): Request {
  process.env.OTP_SHIELD_PEER_TOKEN = "t".repeat(43);
  return new Request("http://localhost/api/otp/send", {
    method: "POST",
    headers: { "x-forwarded-for": forwardedFor, [PEER_HEADER]: `${"t".repeat(43)} ${peer}` },
  });
}

afterEach(() => {
  delete process.env.OTP_SHIELD_PEER_TOKEN;
});

describe("client address of a request served by npm start", () => {
  it("ignores X-Forwarded-For forged by a client that connects directly", () => {
    expect(resolveRequestClientIp(stampedRequest("203.0.113.50", "198.51.100.77"))).toBe("203.0.113.50");
    expect(resolveRequestClientIp(stampedRequest("::ffff:203.0.113.51", "198.51.100.77"))).toBe(
      "203.0.113.51",
    );
  });

  it("believes the header when the peer is the proxy on loopback or a private network", () => {
    expect(resolveRequestClientIp(stampedRequest("127.0.0.1", "198.51.100.77"))).toBe("198.51.100.77");
    expect(resolveRequestClientIp(stampedRequest("10.0.0.2", "6.6.6.6, 198.51.100.78"))).toBe(
      "198.51.100.78",
    );
  });

  it("does not take a stamp with the wrong token as the peer", () => {
    const request = stampedRequest("203.0.113.50", "198.51.100.77");
    request.headers.set(PEER_HEADER, `${"x".repeat(43)} 203.0.113.50`);
    expect(resolveRequestClientIp(request)).toBe("198.51.100.77");
  });
});
