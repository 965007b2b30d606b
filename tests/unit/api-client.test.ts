import { afterEach, describe, expect, it, vi } from "vitest";
import { fetchJson, inWords } from "@/lib/api/client";
import { catalogues } from "@/lib/i18n";

const words = catalogues.id.passkeys;

describe("the browser's own failures in the page's language", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("names a server that did not answer, and one that answered no envelope, in the page's words", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("fetch failed")));
    const unreachable = inWords(await fetchJson("/api/passkeys/x"), words);
    expect(unreachable).toMatchObject({ ok: false, status: 0, error: { code: "unavailable" } });
    expect(!unreachable.ok && unreachable.error.message).toBe(words.unreachable);

    vi.stubGlobal("fetch", () => Promise.resolve(new Response("<html>", { status: 502 })));
    const unreadable = inWords(await fetchJson("/api/passkeys/x"), words);
    expect(!unreadable.ok && unreadable.error.message).toBe(words.unreadable);
  });

  it("keeps the server's own message, which is already in the request's language", async () => {
    const body = { error: { code: "not_found", message: "Passkey itu tidak ada di akun Anda." } };
    vi.stubGlobal("fetch", () => Promise.resolve(Response.json(body, { status: 404 })));
    const result = inWords(await fetchJson("/api/passkeys/x"), words);
    expect(!result.ok && result.error.message).toBe(body.error.message);
  });
});
