import "server-only";
import type { z } from "zod";
import { config } from "@/lib/config";
import { refusal, type AppError } from "./errors";
import { isRuleName, type RuleName } from "./refusals";

/** Bodies of the public JSON endpoints are a few hundred bytes; anything far larger is abuse. */
export const MAX_JSON_BODY_BYTES = config.http.maxJsonBody.value;

/**
 * Reads a JSON request body with the checks every public endpoint needs, cheapest first:
 * media type (415), size (413, counted while streaming so a huge body is never buffered),
 * syntax (400 bad_request) and shape (`parseBody`, below).
 */
export async function readJsonBody<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
): Promise<z.infer<Schema>> {
  const mediaType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw refusal("hygiene.media_type");
  }

  const declaredLength = Number(request.headers.get("content-length") ?? "0");
  if (declaredLength > MAX_JSON_BODY_BYTES) throw tooLarge();

  const text = await readLimitedText(request, MAX_JSON_BODY_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw refusal("hygiene.malformed_json");
  }

  return parseBody(json, schema);
}

/**
 * A request body already read (JSON, or a form's fields) checked against `schema`: 400 with
 * per-field messages; a field with a refusal of its own in the catalogue, `validation.<field>`,
 * is refused by that one.
 */
export function parseBody<Schema extends z.ZodType>(body: unknown, schema: Schema): z.infer<Schema> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const fields: Record<string, string> = {};
    for (const issue of result.error.issues) {
      const key = issue.path.length > 0 ? issue.path.join(".") : "body";
      fields[key] ??= issue.message;
    }
    const field = Object.keys(fields).find((key) => isRuleName(`validation.${key}`));
    const rule = field ? (`validation.${field}` as "validation.phone") : "hygiene.body_shape";
    return throwRefusal(rule, field ? fields[field] : Object.values(fields)[0], fields);
  }
  return result.data;
}

function throwRefusal(rule: RuleName, message: string | undefined, fields: Record<string, string>): never {
  throw refusal(rule, { ...(message === undefined ? {} : { message }), fields });
}

async function readLimitedText(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function tooLarge(): AppError {
  return refusal("hygiene.body_size", {
    text: { key: "bodySizeAtMost", values: { bytes: MAX_JSON_BODY_BYTES } },
  });
}
