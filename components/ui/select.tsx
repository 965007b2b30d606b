import type { ComponentProps } from "react";
import { controlClassName } from "./input";

/** A native select (keyboard and screen-reader support for free); give it a label (see Field). */
export function Select({ className = "", ...props }: ComponentProps<"select">) {
  return <select {...props} className={`${controlClassName} ${className}`} />;
}
