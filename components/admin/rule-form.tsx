"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, inputClassName } from "@/components/ui/field";

const kinds = [
  ["block-prefix", "Block a number prefix"],
  ["block-phone", "Block a number"],
  ["block-ip", "Block an address"],
  ["block-subnet", "Block a network"],
  ["block-country", "Block a country"],
  ["safe-phone", "Safe-list a number"],
  ["safe-prefix", "Safe-list a prefix"],
] as const;

const durations = [
  [3600, "1 hour"],
  [6 * 3600, "6 hours"],
  [24 * 3600, "1 day"],
  [7 * 24 * 3600, "7 days"],
  [30 * 24 * 3600, "30 days"],
] as const;

/**
 * Adds a block or safe-list entry; each expires by itself. `networks` says which network lengths
 * can be blocked (they depend on CLIENT_IP_IPV6_PREFIX, which only the server knows).
 */
export function RuleForm({ networks }: { networks: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  return (
    <form
      className="grid gap-3 sm:grid-cols-2"
      onSubmit={async (event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        setPending(true);
        setError(null);
        const response = await fetch("/api/admin/rules", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            kind: form.get("kind"),
            value: form.get("value"),
            ttlSeconds: Number(form.get("ttlSeconds")),
            reason: form.get("reason"),
          }),
        });
        setPending(false);
        if (!response.ok) {
          const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
          setError(body?.error?.message ?? "The rule was not saved.");
          return;
        }
        (event.target as HTMLFormElement).reset();
        router.refresh();
      }}
    >
      <Field id="rule-kind" label="Action">
        <select id="rule-kind" name="kind" className={inputClassName}>
          {kinds.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id="rule-value"
        label="Value"
        hint={`+6581, +6581234567, 203.0.113.7, 203.0.113.0/24 or SG. Networks: ${networks}.`}
      >
        <input id="rule-value" name="value" required className={inputClassName} />
      </Field>
      <Field id="rule-ttl" label="For">
        <select id="rule-ttl" name="ttlSeconds" className={inputClassName} defaultValue={24 * 3600}>
          {durations.map(([seconds, label]) => (
            <option key={seconds} value={seconds}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field id="rule-reason" label="Reason (optional)">
        <input id="rule-reason" name="reason" maxLength={200} className={inputClassName} />
      </Field>
      <div className="sm:col-span-2 space-y-2">
        {error ? <Alert tone="error">{error}</Alert> : null}
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : "Add rule"}
        </Button>
      </div>
    </form>
  );
}

/** Lifts one rule at once. */
export function RemoveRuleButton({ kind, value }: { kind: string; value: string }) {
  const router = useRouter();
  return (
    <button
      type="button"
      className="text-sm text-red-700 underline"
      aria-label={`Remove ${kind} ${value}`}
      onClick={async () => {
        await fetch(`/api/admin/rules?${new URLSearchParams({ kind, value })}`, { method: "DELETE" });
        router.refresh();
      }}
    >
      Remove
    </button>
  );
}
