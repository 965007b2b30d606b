import "server-only";
import type { z } from "zod";
import { config } from "@/lib/config";
import { AppError, type ErrorCode } from "./errors";

/** Bodies of the public JSON endpoints are a few hundred bytes; anything far larger is abuse. */
export const MAX_JSON_BODY_BYTES = config.http.maxJsonBody.value;

/**
 * Reads a JSON request body with the checks every public endpoint needs, cheapest first:
 * media type (415), size (413, counted while streaming so a huge body is never buffered),
 * syntax (400 bad_request) and shape (400 with per-field messages from the zod schema).
 */
export async function readJsonBody<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  /** Error codes for particular fields, e.g. `{ phone: "invalid_phone" }`; others are bad_request. */
  fieldErrorCodes: Record<string, ErrorCode> = {},
): Promise<z.infer<Schema>> {
  const mediaType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new AppError(
      "unsupported_media_type",
      "Send the request body as JSON (Content-Type: application/json).",
      {
        rule: "hygiene.media_type",
      },
    );
  }

  const declaredLength = Number(request.headers.get("content-length") ?? "0");
  if (declaredLength > MAX_JSON_BODY_BYTES) throw tooLarge();

  const text = await readLimitedText(request, MAX_JSON_BODY_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The request body is not valid JSON.", {
      rule: "hygiene.malformed_json",
    });
  }

  const result = schema.safeParse(json);
  if (!result.success) {
    const fields: Record<string, string> = {};
    for (const issue of result.error.issues) {
      const key = issue.path.length > 0 ? issue.path.join(".") : "body";
      fields[key] ??= issue.message;
    }
    const field = Object.keys(fields).find((key) => key in fieldErrorCodes);
    const code = field ? fieldErrorCodes[field]! : "bad_request";
    const firstMessage =
      (field ? fields[field] : Object.values(fields)[0]) ?? "The request body is not valid.";
    throw new AppError(code, firstMessage, {
      fields,
      rule: field ? `validation.${field}` : "hygiene.body_shape",
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
  return new AppError("payload_too_large", `The request body must be at most ${MAX_JSON_BODY_BYTES} bytes.`, {
    rule: "hygiene.body_size",
  });
}
