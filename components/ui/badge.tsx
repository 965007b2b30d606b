import type { ReactNode } from "react";

const tones = {
  neutral: "bg-slate-100 text-slate-800",
  success: "bg-emerald-100 text-emerald-800",
  warning: "bg-amber-100 text-amber-900",
  danger: "bg-red-100 text-red-800",
};

/** A short status label. The tone is decoration only: the words must say it too ("on", "not reachable"). */
export function Badge({ tone = "neutral", children }: { tone?: keyof typeof tones; children: ReactNode }) {
  return (
    <span className={`inline-flex items-center rounded px-2 py-0.5 text-sm ${tones[tone]}`}>{children}</span>
  );
}
