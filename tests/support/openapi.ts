import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";

/**
 * Validators for 8x8's OpenAPI documents, so contract tests check the sandbox's replies and our
 * client's requests against 8x8's specs. They use the strict copies in
 * lib/eight-by-eight/openapi/strict/ (fields we rely on are required, unknown fields refused):
 * the published originals require nothing, so `{}` or a renamed field would pass them.
 */
const specDirectory = path.resolve(__dirname, "../../lib/eight-by-eight/openapi");

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// 8x8 uses "format": "phone"; it documents both "+65…" and "65…" spellings.
ajv.addFormat("phone", /^\+?\d{3,17}$/);

for (const [id, file] of [
  ["verify", "strict/verification_api.strict.json"],
  ["lookup", "strict/number_lookup_api.strict.json"],
  ["verify-original", "verification_api.json"],
] as const) {
  ajv.addSchema(JSON.parse(readFileSync(path.join(specDirectory, file), "utf8")), id);
}

const lookupPath =
  "/paths/~1api~1v1~1subaccounts~1%7BsubAccountId%7D~1phones~1%7BphoneNumber%7D/get/responses";

export const schemas = {
  verifyRequest: "verify#/components/schemas/VerifyRequestV2",
  verifyResponse: "verify#/components/schemas/VerifyResponseV2",
  verifyError: "verify#/components/schemas/ErrorResponse",
  lookupResponse: `lookup#${lookupPath}/200/content/application~1json/schema`,
  /** 8x8's published response schema, as is: only to show what the strict copy adds. */
  originalVerifyResponse: "verify-original#/components/schemas/VerifyResponseV2",
} as const;

/** Validation errors of `data` against a schema of the specs, as readable strings (empty: valid). */
export function validateAgainst(schema: (typeof schemas)[keyof typeof schemas], data: unknown): string[] {
  const validate = ajv.getSchema(schema);
  if (!validate) throw new Error(`No schema at ${schema}`);
  return validate(data)
    ? []
    : (validate.errors ?? []).map(
        (error) =>
          `${error.instancePath || "/"} ${error.message}${
            error.keyword === "additionalProperties"
              ? ` (${(error.params as { additionalProperty: string }).additionalProperty})`
              : ""
          }`,
      );
}
