"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";
import { Button } from "./button";

/**
 * A question asked before an action that is hard to undo, as a native modal `<dialog>`: the browser
 * traps focus inside it, makes the page behind it inert, closes it on Escape and returns focus to
 * where it was. Focus starts on the safe choice (`cancelLabel`), so Enter never destroys by accident.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = "Cancel",
  destructive = false,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  destructive?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      // Escape, or the form's own close: both mean "no".
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl p-6 shadow-xl ring-1 ring-slate-200 backdrop:bg-slate-900/40"
    >
      <h2 id={titleId} className="mb-2 text-lg font-semibold">
        {title}
      </h2>
      <div id={bodyId} className="mb-6 text-sm text-slate-700">
        {children}
      </div>
      <div className="flex flex-wrap justify-end gap-3">
        {/* Mounted only while open, so autoFocus takes effect each time it opens. */}
        {open ? (
          <Button type="button" variant="secondary" autoFocus onClick={onCancel}>
            {cancelLabel}
          </Button>
        ) : null}
        <Button type="button" variant={destructive ? "danger" : "primary"} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}
