import type { ReactNode } from "react";

export function Card({ title, children }: { title?: string; children: ReactNode }) {
  return (
    <section className="min-w-0 rounded-xl bg-white p-4 shadow-sm sm:p-6 ring-1 ring-slate-200">
      {title ? <h1 className="mb-4 text-xl font-semibold">{title}</h1> : null}
      {children}
    </section>
  );
}
