import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import type { ApiError } from "./errors";

/**
 * Shows the API's per-field messages (`error.fields`) on the form's fields of the same name, and
 * moves focus to the first. Returns false when none of them is a field of this form, so the
 * caller shows `error.message` above the submit button instead.
 */
export function showFieldErrors<Values extends FieldValues>(
  error: ApiError,
  fieldNames: readonly Path<Values>[],
  setError: UseFormSetError<Values>,
): boolean {
  const shown = fieldNames.filter((name) => error.fields?.[name]);
  shown.forEach((name, index) =>
    setError(name, { type: "server", message: error.fields![name] }, { shouldFocus: index === 0 }),
  );
  return shown.length > 0;
}
