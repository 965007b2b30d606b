import type { ComponentProps } from "react";

/** The look shared by text inputs and selects; `aria-invalid` turns the ring red. */
export const controlClassName =
  "block w-full rounded-md border-0 bg-white px-3 py-2 text-slate-900 ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-indigo-600 aria-[invalid=true]:ring-red-500";

/** A text input; give it a label (see {@link Field}). `ref` passes through (React 19), for react-hook-form. */
export function Input({ className = "", ...props }: ComponentProps<"input">) {
  return <input {...props} className={`${controlClassName} ${className}`} />;
}
