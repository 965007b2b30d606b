import type { ComponentProps, ReactNode } from "react";

/**
 * A data table. The caption names it for screen readers; hide it visually when a heading above
 * already says the same. A table too wide for a phone scrolls sideways inside its own box, never
 * the page: give it a `min-w-*` class and `scrollable`, which makes the box a named, focusable
 * region, so that keyboard users can scroll it too (WCAG 2.1.1).
 */
export function Table({
  caption,
  hideCaption = false,
  scrollable = false,
  className = "",
  children,
}: {
  caption?: string;
  hideCaption?: boolean;
  scrollable?: boolean;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div
      className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-indigo-700"
      {...(scrollable ? { role: "region", "aria-label": caption, tabIndex: 0 } : {})}
    >
      <table className={`w-full text-left text-sm ${className}`}>
        {caption ? (
          <caption className={hideCaption ? "sr-only" : "mb-2 text-left font-medium text-slate-700"}>
            {caption}
          </caption>
        ) : null}
        {children}
      </table>
    </div>
  );
}

/** The header row: one column header (`scope="col"`) per name. */
export function TableHead({ columns }: { columns: readonly string[] }) {
  return (
    <thead className="text-xs text-slate-500">
      <tr>
        {columns.map((column) => (
          <th key={column} scope="col" className="px-2 py-1 font-medium">
            {column}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export function TableBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-slate-100">{children}</tbody>;
}

export function TableRow({ className = "", ...props }: ComponentProps<"tr">) {
  return <tr {...props} className={`align-top ${className}`} />;
}

/** A cell; `header` makes it the row's header (`<th scope="row">`), which names the row. */
export function TableCell({
  header = false,
  className = "",
  ...props
}: ComponentProps<"td"> & { header?: boolean }) {
  const classes = `px-2 py-1 ${className}`;
  return header ? (
    <th scope="row" {...props} className={`font-medium ${classes}`} />
  ) : (
    <td {...props} className={classes} />
  );
}
