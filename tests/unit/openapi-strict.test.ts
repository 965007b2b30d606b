import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildStrictSpecs, serialise } from "@/lib/eight-by-eight/openapi/strict/generate";
import { schemas, validateAgainst } from "../support/openapi";

const strictDirectory = path.resolve(__dirname, "../../lib/eight-by-eight/openapi/strict");

describe("strict copies of 8x8's OpenAPI documents", () => {
  it("are exactly what the generator makes from the published originals", () => {
    const built = buildStrictSpecs();
    expect(Object.keys(built).sort()).toEqual([
      "number_lookup_api.strict.json",
      "verification_api.strict.json",
    ]);
    for (const [file, spec] of Object.entries(built)) {
      expect(readFileSync(path.join(strictDirectory, file), "utf8"), file).toBe(serialise(spec));
    }
  });

  it("refuse an empty session and a renamed field that the published schema accepts", () => {
    const session = {
      sessionId: "a44a91be5ea5ea118169020897df5459",
      verifyUri: "/api/v2/subaccounts/demo_hq/sessions/a44a91be5ea5ea118169020897df5459",
      destination: "+6591234567",
      status: "WAITING",
      attempt: 0,
      expiresAt: "2025-12-18T05:59:54.09Z",
      retryAfter: "2025-12-18T05:55:04.09Z",
    };
    const { retryAfter, ...renamed } = session;
    const legacy = { ...renamed, nextSmsAfter: retryAfter };

    expect(validateAgainst(schemas.verifyResponse, session)).toEqual([]);
    for (const reply of [{}, legacy]) {
      expect(validateAgainst(schemas.originalVerifyResponse, reply)).toEqual([]);
      expect(validateAgainst(schemas.verifyResponse, reply)).toContain(
        "/ must have required property 'retryAfter'",
      );
    }
    expect(validateAgainst(schemas.verifyResponse, legacy)).toContain(
      "/ must NOT have additional properties (nextSmsAfter)",
    );
  });

  it("refuse a request with a misspelt field", () => {
    const request = { destination: "+6591234567", codeValidty: 600 };
    expect(validateAgainst(schemas.verifyRequest, request)).toEqual([
      "/ must NOT have additional properties (codeValidty)",
    ]);
  });
});
