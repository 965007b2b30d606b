import "server-only";
import { deriveIpKeys, type IpRateLimitKeys } from "../client-ip";
import type { LimitName } from "../config";
import { getEnv } from "../env";
import { enforceLimit } from "../limits";

/**
 * Who may ask for how many ALTCHA challenges, most specific first, so a client refused for its
 * own address never spends its network's or everyone's budget. An attacker who rotates addresses
 * inside one /64 or /24 meets the network limit, one who rotates networks meets the total; each
 * challenge is cheap to issue, but each is also a derivation at verification (see ./altcha.ts).
 */
const challengeLimits: { name: LimitName; identifier: (keys: IpRateLimitKeys) => string }[] = [
  { name: "captcha.challenge.ip", identifier: (keys) => keys.address },
  { name: "captcha.challenge.subnet", identifier: (keys) => keys.aggregate },
  { name: "captcha.challenge.global", identifier: () => "all" },
];

/** Counts one challenge for `clientIp` against every issuance limit; `429 rate_limited` when one is spent. */
export async function enforceChallengeLimits(clientIp: string): Promise<void> {
  const keys = deriveIpKeys(clientIp, getEnv().clientIp.ipv6Prefix);
  if (!keys) throw new Error(`enforceChallengeLimits needs a resolved client address, got ${clientIp}`);
  for (const { name, identifier } of challengeLimits) await enforceLimit(name, identifier(keys));
}
