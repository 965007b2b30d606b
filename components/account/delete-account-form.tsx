"use client";

import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import type { Messages } from "@/lib/i18n";

/** What the deletion action answers when it did not delete: the message to show, on its field or above. */
export type DeleteAccountState = { error: null } | { error: string; field: "lastFour" | null };

/**
 * The confirmation step of "Delete my account": typing the number's last four digits is the
 * deliberate act (they are no secret to the signed-in holder; a slip of the mouse cannot type
 * them). A plain form posting to a server action, so it works without JavaScript; with it, the
 * button says it is busy and the answer replaces the form's message in place.
 */
export function DeleteAccountForm({
  action,
  words,
}: {
  action: (state: DeleteAccountState, formData: FormData) => Promise<DeleteAccountState>;
  words: Messages["account"];
}) {
  const [state, formAction, pending] = useActionState(action, { error: null });
  const fieldError = state.error && state.field === "lastFour" ? state.error : undefined;
  return (
    <form action={formAction} className="space-y-3" aria-label={words.deleteHeading}>
      {state.error && state.field === null ? <Alert tone="error">{state.error}</Alert> : null}
      <Field id="delete-last-four" label={words.deleteConfirm} error={fieldError}>
        {(control) => (
          <Input
            {...control}
            name="lastFour"
            inputMode="numeric"
            autoComplete="off"
            maxLength={4}
            required
            className="max-w-32"
          />
        )}
      </Field>
      <Button type="submit" variant="danger" pending={pending}>
        {pending ? words.deleting : words.deleteHeading}
      </Button>
    </form>
  );
}
