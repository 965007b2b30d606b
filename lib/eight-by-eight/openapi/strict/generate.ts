/**
 * Builds the strict copies of 8x8's OpenAPI documents that the contract tests validate against.
 *
 * 8x8's published response schemas list their properties but require none of them, so `{}`
 * validates and a renamed field (`retryAfter` → `nextSmsAfter`) passes unnoticed. The strict copy
 * adds, to the schemas this app sends or reads, the fields it relies on as `required`, and
 * `additionalProperties: false`, so an unknown or misspelt field fails. Which fields are
 * required is our reading of 8x8's docs and examples (each list below says why); the originals
 * beside this folder stay untouched, as copied from 8x8's public developer docs.
 *
 * Regenerate after updating an original: `npx tsx lib/eight-by-eight/openapi/strict/generate.ts`.
 * A unit test fails when the committed copies and this script disagree.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

type Schema = { required?: string[]; additionalProperties?: boolean; properties?: Record<string, unknown> };
type Tightening = { pointer: string; required: string[] };

const lookupResponse =
  "/paths/~1api~1v1~1subaccounts~1{subAccountId}~1phones~1{phoneNumber}/get/responses/200/content/application~1json/schema";

const tightenings: Record<string, Tightening[]> = {
  "verification_api.json": [
    // Only `destination` is required by 8x8; what matters here is that nothing unknown is sent.
    { pointer: "/components/schemas/VerifyRequestV2", required: ["destination"] },
    // Every example and the field table carry these; `sma` appears only for channel=sma.
    {
      pointer: "/components/schemas/VerifyResponseV2",
      required: ["sessionId", "verifyUri", "destination", "status", "attempt", "expiresAt", "retryAfter"],
    },
    // 8x8 already requires these three; `message` stays optional.
    { pointer: "/components/schemas/ErrorResponse", required: ["code", "errorId", "timestamp"] },
  ],
  "number_lookup_api.json": [
    // A format lookup always answers these; operator and roaming fields only for paid lookups.
    { pointer: lookupResponse, required: ["requestId", "phoneNumber", "phoneType", "status"] },
    { pointer: "/components/schemas/lookup-status", required: ["state", "timestamp"] },
  ],
};

const openapiDirectory = path.resolve(__dirname, "..");

/** The strict documents, by file name (`verification_api.strict.json`, …). */
export function buildStrictSpecs(): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [file, list] of Object.entries(tightenings)) {
    const spec = JSON.parse(readFileSync(path.join(openapiDirectory, file), "utf8")) as Record<
      string,
      unknown
    >;
    for (const { pointer, required } of list) {
      const schema = resolvePointer(spec, pointer);
      const unknown = required.filter((name) => !(name in (schema.properties ?? {})));
      if (unknown.length > 0) throw new Error(`${file}${pointer} has no properties ${unknown.join(", ")}`);
      schema.required = required;
      schema.additionalProperties = false;
    }
    result[file.replace(/\.json$/, ".strict.json")] = spec;
  }
  return result;
}

/** The text a strict document is stored as. */
export function serialise(spec: unknown): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

function resolvePointer(document: unknown, pointer: string): Schema {
  let node = document;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    node = (node as Record<string, unknown> | undefined)?.[key];
  }
  if (typeof node !== "object" || node === null) throw new Error(`No schema at ${pointer}`);
  return node as Schema;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  for (const [file, spec] of Object.entries(buildStrictSpecs())) {
    writeFileSync(path.join(__dirname, file), serialise(spec));
    console.log(`wrote ${path.join(__dirname, file)}`);
  }
}
