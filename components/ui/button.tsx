"use client";

import type { ButtonHTMLAttributes } from "react";

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: keyof typeof variants;
  pending?: boolean;
};

const variants = {
  primary: "bg-indigo-600 text-white hover:bg-indigo-500 px-4 py-2 rounded-md font-medium shadow-sm",
  secondary:
    "bg-white text-slate-900 ring-1 ring-slate-300 hover:bg-slate-50 px-4 py-2 rounded-md font-medium",
  danger: "bg-red-700 text-white hover:bg-red-600 px-4 py-2 rounded-md font-medium shadow-sm",
  link: "text-indigo-700 underline-offset-2 hover:underline",
  "danger-link": "text-red-700 underline underline-offset-2",
};

/**
 * A button that stays focusable while pending (aria-disabled instead of disabled), so screen
 * readers keep their place; clicks are ignored until the action finishes.
 */
export function Button({
  variant = "primary",
  pending = false,
  className = "",
  onClick,
  ...props
}: ButtonProps) {
  return (
    <button
      {...props}
      aria-disabled={pending || props.disabled || undefined}
      onClick={(event) => {
        if (pending) {
          event.preventDefault();
          return;
        }
        onClick?.(event);
      }}
      className={`${variants[variant]} disabled:cursor-not-allowed disabled:opacity-60 aria-disabled:cursor-wait aria-disabled:opacity-60 ${className}`}
    />
  );
}
