import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";

/**
 * Validators for 8x8's published OpenAPI documents (copied into lib/eight-by-eight/openapi/), so
 * contract tests check the sandbox's replies and our client's requests against the real specs.
 */
const specDirectory = path.resolve(__dirname, "../../lib/eight-by-eight/openapi");

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// 8x8 uses "format": "phone"; it documents both "+65…" and "65…" spellings.
ajv.addFormat("phone", /^\+?\d{3,17}$/);

for (const [id, file] of [
  ["verify", "verification_api.json"],
  ["lookup", "number_lookup_api.json"],
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
} as const;

/** Validation errors of `data` against a schema of the specs, as readable strings (empty: valid). */
export function validateAgainst(schema: (typeof schemas)[keyof typeof schemas], data: unknown): string[] {
  const validate = ajv.getSchema(schema);
  if (!validate) throw new Error(`No schema at ${schema}`);
  return validate(data)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}
