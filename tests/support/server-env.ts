import { createServer } from "node:net";

/**
 * The settings every test server runs on: the sandbox with its full inbox, a test secret, the test
 * runner on loopback as the trusted proxy (each test sends its own client address in
 * X-Forwarded-For, see tests/e2e/support.ts) and a cheap proof of work, so the real widget solves
 * in a moment (production defaults are far higher).
 */
export const sandboxServerEnv = {
  OTP_PROVIDER: "sandbox",
  SANDBOX_INBOX: "all",
  AUTH_SECRET: "e2e-only-secret-0123456789abcdefghijklmnopqrstuvwxyz",
  AUTH_TRUST_HOST: "true",
  CLIENT_IP_STRATEGY: "rightmost-trusted-range",
  CLIENT_IP_TRUSTED_RANGES: "127.0.0.0/8,::1",
  ALTCHA_COST: "50",
  ALTCHA_MAX_COUNTER: "50",
} as const;

/** A port nothing listens on now, from the OS, so no other server (or leftover) answers for ours. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
