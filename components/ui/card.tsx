import type { ReactNode } from "react";

export function Card({ title, children }: { title?: string; children: ReactNode }) {
  return (
    <section className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
      {title ? <h1 className="mb-4 text-xl font-semibold">{title}</h1> : null}
      {children}
    </section>
  );
}
