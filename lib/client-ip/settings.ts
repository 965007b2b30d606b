import { config } from "@/lib/config";
import { parseIpRange } from "./ip-address";
import type { ClientIpStrategy } from "./strategies";

/**
 * Named set-ups for common hosts, each with the evidence it rests on. Pick the one that matches
 * how requests reach the app; see the README section "Client IP and proxies".
 */
export const clientIpPresets = {
  /**
   * Vercel overwrites `X-Forwarded-For` with the address its edge saw and does not forward one a
   * client sent (vercel.com/docs/headers/request-headers). The rightmost entry is the client.
   */
  vercel: { type: "rightmost-trusted-count", header: "x-forwarded-for", trustedCount: 1 },
  /**
   * Cloudflare sets `CF-Connecting-IP` to the visitor's address. Safe only when the origin accepts
   * connections from Cloudflare alone (firewall, Cloudflare Tunnel or Authenticated Origin Pulls);
   * otherwise anyone can send the header straight to the origin.
   */
  cloudflare: { type: "single-header", header: "cf-connecting-ip" },
  /** Fly Proxy sets `Fly-Client-IP` to the address it accepted the connection from (fly.io/docs/networking/request-headers). */
  fly: { type: "single-header", header: "fly-client-ip" },
  /**
   * One reverse proxy (nginx with `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`,
   * Caddy, HAProxy, Heroku's router) that appends the address it saw: the rightmost entry.
   */
  "one-proxy": { type: "rightmost-trusted-count", header: "x-forwarded-for", trustedCount: 1 },
  /**
   * No proxy: clients connect to Node directly. Needs `npm start` (lib/node-server.mjs), which
   * stamps each request with the socket's peer address; without it every send is refused, because
   * no header can be trusted when clients reach the server directly.
   */
  direct: { type: "rightmost-trusted-range", header: "x-forwarded-for", trustedRanges: [] },
} as const satisfies Record<string, ClientIpStrategy>;

export type ClientIpPreset = keyof typeof clientIpPresets;

export type ClientIpSettings = {
  strategy: ClientIpStrategy;
  /** Where the strategy came from, for logs and the diagnostics page. */
  source: string;
  /**
   * Without the socket peer (stamped by `npm start`) no address can be trusted, so every request
   * resolves to null: the `direct` preset.
   */
  requiresPeerAddress: boolean;
  /** Prefix length of the per-address key for IPv6 (the /48 aggregate is fixed). */
  ipv6Prefix: number;
};

export type ClientIpEnv = {
  CLIENT_IP_PRESET?: string;
  CLIENT_IP_STRATEGY?: string;
  CLIENT_IP_HEADER?: string;
  CLIENT_IP_TRUSTED_COUNT?: string;
  CLIENT_IP_TRUSTED_RANGES?: string;
  CLIENT_IP_IPV6_PREFIX?: string;
};

const strategyTypes = [
  "rightmost-trusted-count",
  "rightmost-trusted-range",
  "rightmost-non-private",
  "single-header",
];
const help = 'See the README section "Client IP and proxies".';

/**
 * Reads the client-IP settings. A missing or contradictory setting is an error with an
 * explanation, never a silent default that trusts a client-controlled header: production must
 * choose. Development (no proxy, `next dev`) defaults to the rightmost `X-Forwarded-For` entry,
 * which `next dev` fills with the socket address when the client sends none.
 */
export function parseClientIpSettings(env: ClientIpEnv, isProduction: boolean): ClientIpSettings {
  const fail = (message: string): never => {
    throw new ClientIpSettingsError(`${message} ${help}`);
  };
  const preset = blankToUndefined(env.CLIENT_IP_PRESET);
  const type = blankToUndefined(env.CLIENT_IP_STRATEGY);
  const header = blankToUndefined(env.CLIENT_IP_HEADER)?.toLowerCase();
  const countText = blankToUndefined(env.CLIENT_IP_TRUSTED_COUNT);
  const rangesText = blankToUndefined(env.CLIENT_IP_TRUSTED_RANGES);

  const { value: defaultPrefix, env: prefixRange } = config.clientIp.ipv6Prefix;
  const ipv6PrefixText = blankToUndefined(env.CLIENT_IP_IPV6_PREFIX) ?? String(defaultPrefix);
  const ipv6Prefix = Number(ipv6PrefixText);
  if (!Number.isInteger(ipv6Prefix) || ipv6Prefix < prefixRange.min || ipv6Prefix > prefixRange.max) {
    fail(
      `CLIENT_IP_IPV6_PREFIX must be a whole number from ${prefixRange.min} to ${prefixRange.max} (default ${defaultPrefix}).`,
    );
  }

  if (preset !== undefined) {
    if (type || header || countText || rangesText) {
      fail(
        "CLIENT_IP_PRESET cannot be combined with CLIENT_IP_STRATEGY, _HEADER, _TRUSTED_COUNT or _TRUSTED_RANGES.",
      );
    }
    if (!(preset in clientIpPresets)) {
      fail(`CLIENT_IP_PRESET must be one of ${Object.keys(clientIpPresets).join(", ")} (got "${preset}").`);
    }
    const strategy = clientIpPresets[preset as ClientIpPreset];
    return { strategy, source: `preset ${preset}`, requiresPeerAddress: preset === "direct", ipv6Prefix };
  }

  if (type === undefined) {
    if (header || countText || rangesText) fail("CLIENT_IP_HEADER and friends need CLIENT_IP_STRATEGY.");
    if (isProduction) {
      fail(
        "Set CLIENT_IP_PRESET (vercel, cloudflare, fly, one-proxy, direct) or CLIENT_IP_STRATEGY: the app must know " +
          "which proxy to trust for client addresses, or every per-IP limit can be dodged with a forged X-Forwarded-For.",
      );
    }
    return {
      strategy: { type: "rightmost-trusted-count", header: "x-forwarded-for", trustedCount: 1 },
      source: "development default",
      requiresPeerAddress: false,
      ipv6Prefix,
    };
  }

  if (!strategyTypes.includes(type)) fail(`CLIENT_IP_STRATEGY must be one of ${strategyTypes.join(", ")}.`);
  const chosenHeader = header ?? (type === "single-header" ? undefined : "x-forwarded-for");
  if (chosenHeader === undefined)
    fail("CLIENT_IP_STRATEGY=single-header needs CLIENT_IP_HEADER (e.g. cf-connecting-ip).");
  if (type !== "single-header" && chosenHeader !== "x-forwarded-for" && chosenHeader !== "forwarded") {
    fail(`CLIENT_IP_STRATEGY=${type} reads x-forwarded-for or forwarded, not ${chosenHeader}.`);
  }
  if (countText !== undefined && type !== "rightmost-trusted-count") {
    fail(`CLIENT_IP_TRUSTED_COUNT only applies to rightmost-trusted-count, not ${type}.`);
  }
  if (rangesText !== undefined && type !== "rightmost-trusted-range") {
    fail(`CLIENT_IP_TRUSTED_RANGES only applies to rightmost-trusted-range, not ${type}.`);
  }

  const base = { source: `CLIENT_IP_STRATEGY=${type}`, ipv6Prefix };
  switch (type) {
    case "rightmost-trusted-count": {
      const trustedCount = Number(countText);
      if (
        countText === undefined ||
        !Number.isInteger(trustedCount) ||
        trustedCount < 1 ||
        trustedCount > 20
      ) {
        fail(
          "CLIENT_IP_STRATEGY=rightmost-trusted-count needs CLIENT_IP_TRUSTED_COUNT: the number of proxies, 1–20.",
        );
      }
      return { ...base, strategy: { type, header: chosenHeader!, trustedCount }, requiresPeerAddress: false };
    }
    case "rightmost-trusted-range": {
      const trustedRanges = (rangesText ?? "")
        .split(",")
        .map((range) => range.trim())
        .filter(Boolean);
      const invalid = trustedRanges.filter((range) => parseIpRange(range) === null);
      if (invalid.length > 0) fail(`CLIENT_IP_TRUSTED_RANGES has invalid ranges: ${invalid.join(", ")}.`);
      return {
        ...base,
        strategy: { type, header: chosenHeader!, trustedRanges },
        requiresPeerAddress: false,
      };
    }
    case "rightmost-non-private":
      return { ...base, strategy: { type, header: chosenHeader! }, requiresPeerAddress: false };
    default:
      return {
        ...base,
        strategy: { type: "single-header", header: chosenHeader! },
        requiresPeerAddress: false,
      };
  }
}

export class ClientIpSettingsError extends Error {
  override name = "ClientIpSettingsError";
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
