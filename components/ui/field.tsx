import type { ReactNode } from "react";

/** What a control inside a {@link Field} needs so that its label, error and hint are announced. */
export type FieldControlProps = {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
};

/**
 * A labelled form control with its inline error (or hint). The control is a render prop, so the
 * ids that tie it to its label and messages (`aria-describedby`, `aria-invalid`) are set in one place:
 *
 * ```tsx
 * <Field id="phone" label="Phone number" error={errors.phone?.message}>
 *   {(control) => <Input type="tel" {...control} {...register("phone")} />}
 * </Field>
 * ```
 */
export function Field({
  id,
  label,
  error,
  hint,
  className,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  className?: string;
  children: (control: FieldControlProps) => ReactNode;
}) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const showHint = Boolean(hint) && !error;
  return (
    <div className={`space-y-1 ${className ?? ""}`}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children({
        id,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": error ? errorId : showHint ? hintId : undefined,
      })}
      {showHint ? (
        <p id={hintId} className="text-sm text-slate-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
