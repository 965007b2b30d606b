import "server-only";
import type { z } from "zod";
import { config } from "@/lib/config";
import { refusal, type AppError } from "./errors";
import { isRuleName } from "./refusals";

/** Bodies of the public JSON endpoints are a few hundred bytes; anything far larger is abuse. */
export const MAX_JSON_BODY_BYTES = config.http.maxJsonBody.value;

/**
 * Reads a JSON request body with the checks every public endpoint needs, cheapest first:
 * media type (415), size (413, counted while streaming so a huge body is never buffered),
 * syntax (400 bad_request) and shape (400 with per-field messages from the zod schema; a field
 * with a refusal of its own in the catalogue, `validation.<field>`, is refused by that one).
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

  const result = schema.safeParse(json);
  if (!result.success) {
    const fields: Record<string, string> = {};
    for (const issue of result.error.issues) {
      const key = issue.path.length > 0 ? issue.path.join(".") : "body";
      fields[key] ??= issue.message;
    }
    const field = Object.keys(fields).find((key) => isRuleName(`validation.${key}`));
    const message = (field ? fields[field] : Object.values(fields)[0]) ?? "The request body is not valid.";
    throw refusal(field ? (`validation.${field}` as "validation.phone") : "hygiene.body_shape", {
      message,
      fields,
    });
  }
  return result.data;
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
    message: `The request body must be at most ${MAX_JSON_BODY_BYTES} bytes.`,
  });
}
