import type { ComponentProps, ReactNode } from "react";

/**
 * A data table that scrolls sideways on narrow screens. The caption names it for screen readers;
 * hide it visually when a heading above already says the same.
 */
export function Table({
  caption,
  hideCaption = false,
  className = "",
  children,
}: {
  caption?: string;
  hideCaption?: boolean;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="overflow-x-auto">
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
