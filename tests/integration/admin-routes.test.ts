import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";

/**
 * Every admin endpoint refuses callers who are not admins, in the JSON envelope and uncached.
 * `adminRoute` checks no rights itself, so this holds only because each handler's data is read
 * through lib/admin/*, which checks them.
 */
const session = vi.hoisted(() => ({
  current: null as { user: { phone: string; signedInAt: number } } | null,
}));
vi.mock("@/lib/auth", () => ({ auth: async () => session.current }));

type Handler = (request: NextRequest) => Promise<Response>;

const endpoints: {
  name: string;
  load: () => Promise<Handler>;
  url: string;
  init?: { method: string; body?: string };
}[] = [
  {
    name: "GET /api/admin/overview",
    load: async () => (await import("@/app/api/admin/overview/route")).GET,
    url: "/api/admin/overview",
  },
  {
    name: "GET /api/admin/events",
    load: async () => (await import("@/app/api/admin/events/route")).GET,
    url: "/api/admin/events",
  },
  {
    name: "GET /api/admin/events/export",
    load: async () => (await import("@/app/api/admin/events/export/route")).GET,
    url: "/api/admin/events/export",
  },
  {
    name: "POST /api/admin/events/reveal",
    load: async () => (await import("@/app/api/admin/events/reveal/route")).POST,
    url: "/api/admin/events/reveal",
    init: { method: "POST", body: JSON.stringify({ id: "1700000000000-0" }) },
  },
  {
    name: "GET /api/admin/rules",
    load: async () => (await import("@/app/api/admin/rules/route")).GET,
    url: "/api/admin/rules",
  },
  {
    name: "POST /api/admin/rules",
    load: async () => (await import("@/app/api/admin/rules/route")).POST,
    url: "/api/admin/rules",
    init: {
      method: "POST",
      body: JSON.stringify({ kind: "block-ip", value: "203.0.113.77", ttlSeconds: 600 }),
    },
  },
  {
    name: "DELETE /api/admin/rules",
    load: async () => (await import("@/app/api/admin/rules/route")).DELETE,
    url: "/api/admin/rules?kind=block-ip&value=203.0.113.77",
    init: { method: "DELETE" },
  },
  {
    name: "POST /api/admin/blocks",
    load: async () => (await import("@/app/api/admin/blocks/route")).POST,
    url: "/api/admin/blocks",
    init: { method: "POST", body: JSON.stringify({ label: "range +62812", extendSeconds: 3600 }) },
  },
  {
    name: "DELETE /api/admin/blocks",
    load: async () => (await import("@/app/api/admin/blocks/route")).DELETE,
    url: "/api/admin/blocks?label=range%20%2B62812",
    init: { method: "DELETE" },
  },
  {
    name: "GET /api/admin/audit",
    load: async () => (await import("@/app/api/admin/audit/route")).GET,
    url: "/api/admin/audit",
  },
  {
    name: "GET /api/admin/client-ip",
    load: async () => (await import("@/app/api/admin/client-ip/route")).GET,
    url: "/api/admin/client-ip",
  },
  {
    name: "GET /api/admin/alerts",
    load: async () => (await import("@/app/api/admin/alerts/route")).GET,
    url: "/api/admin/alerts",
  },
  {
    name: "POST /api/admin/alerts/test",
    load: async () => (await import("@/app/api/admin/alerts/test/route")).POST,
    url: "/api/admin/alerts/test",
    init: { method: "POST" },
  },
];

async function call({ load, url, init }: (typeof endpoints)[number]): Promise<Response> {
  const handler = await load();
  return handler(
    new NextRequest(`http://localhost${url}`, {
      ...init,
      headers: { "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin" },
    }),
  );
}

describe.each(endpoints)("$name", (endpoint) => {
  it("answers 401 unauthorized, uncached, to a caller who is not signed in", async () => {
    session.current = null;
    const response = await call(endpoint);
    expect(response.status).toBe(401);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  it("answers 403 forbidden, uncached, to a signed-in number that is not an admin's", async () => {
    session.current = { user: { phone: "+6581119901", signedInAt: Date.now() } };
    const response = await call(endpoint);
    expect(response.status).toBe(403);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  });
});
