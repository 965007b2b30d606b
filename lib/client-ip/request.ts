import "server-only";
import { timingSafeEqual } from "node:crypto";
import { deriveIpKeys, resolveClientIp, type IpRateLimitKeys } from "./strategies";
import { getEnv } from "@/lib/env";
import { formatIp, parseIpWithOptionalPort } from "./ip-address";

/** Set by lib/node-server.mjs on every request; see there for why. */
export const PEER_HEADER = "x-otp-shield-peer";

/** The socket peer address stamped by `npm start`, or undefined when the app runs without it. */
export function readPeerAddress(headers: Headers): string | undefined {
  const token = process.env.OTP_SHIELD_PEER_TOKEN;
  const stamp = headers.get(PEER_HEADER);
  if (!token || !stamp) return undefined;
  const space = stamp.indexOf(" ");
  if (space === -1) return undefined;
  const given = Buffer.from(stamp.slice(0, space));
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return stamp.slice(space + 1) || undefined;
}

/** This request's client address under the configured strategy, or null when none can be trusted. */
export function resolveRequestClientIp(request: Request): string | null {
  const { clientIp } = getEnv();
  const peer = readPeerAddress(request.headers);
  if (clientIp.requiresPeerAddress && peer === undefined) return null;
  return resolveClientIp(request.headers, clientIp.strategy, peer);
}

export type ClientIpDiagnosis = {
  strategy: ReturnType<typeof getEnv>["clientIp"]["strategy"];
  source: string;
  headers: Record<string, string>;
  peerAddress: string | null;
  resolved: string | null;
  keys: IpRateLimitKeys | null;
  reason: string;
};

const relevantHeaders = [
  "x-forwarded-for",
  "forwarded",
  "x-real-ip",
  "cf-connecting-ip",
  "true-client-ip",
  "fly-client-ip",
  "x-vercel-forwarded-for",
];

/** Everything an operator needs to check the client-IP set-up behind a new proxy. */
export function diagnoseClientIp(request: Request): ClientIpDiagnosis {
  const { clientIp } = getEnv();
  const headers: Record<string, string> = {};
  for (const name of new Set([...relevantHeaders, clientIp.strategy.header.toLowerCase()])) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const peer = readPeerAddress(request.headers) ?? null;
  const resolved = resolveRequestClientIp(request);
  return {
    strategy: clientIp.strategy,
    source: clientIp.source,
    headers,
    peerAddress: peer,
    resolved,
    keys: resolved ? deriveIpKeys(resolved, clientIp.ipv6Prefix) : null,
    reason: explain(
      resolved,
      peer,
      clientIp.requiresPeerAddress,
      headers[clientIp.strategy.header.toLowerCase()],
    ),
  };
}

function explain(
  resolved: string | null,
  peer: string | null,
  requiresPeer: boolean,
  headerValue?: string,
): string {
  if (resolved) {
    const peerAddress = peer ? parseIpWithOptionalPort(peer) : null;
    return peerAddress && formatIp(peerAddress) === resolved
      ? "The TCP peer is the client (it is not a trusted proxy)."
      : "Resolved from the header, walking from the right.";
  }
  if (requiresPeer && !peer) {
    return "The direct preset needs the peer address stamped by `npm start` (lib/node-server.mjs); it is missing.";
  }
  if (headerValue === undefined)
    return "The header the strategy reads is absent: is the proxy in front of the app?";
  return "No entry at the trusted position is a valid, acceptable address (too few entries, all trusted, or garbage).";
}
