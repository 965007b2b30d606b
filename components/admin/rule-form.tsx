"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { newRuleSchema, type AddRuleResponse, type NewRule, type RuleKind } from "@/lib/api/admin";
import { fetchJson, postJson } from "@/lib/api/client";
import { showFieldErrors } from "@/lib/api/form-errors";

const kinds: [RuleKind, string][] = [
  ["block-prefix", "Block a number prefix"],
  ["block-phone", "Block a number"],
  ["block-ip", "Block an address"],
  ["block-subnet", "Block a network"],
  ["block-country", "Block a country"],
  ["safe-phone", "Safe-list a number"],
  ["safe-prefix", "Safe-list a prefix"],
];

const durations = [
  [3600, "1 hour"],
  [6 * 3600, "6 hours"],
  [24 * 3600, "1 day"],
  [7 * 24 * 3600, "7 days"],
  [30 * 24 * 3600, "30 days"],
] as const;

/** The form's fields are the API body's, so the server's per-field messages land on them as they are. */
const fieldNames = ["kind", "value", "ttlSeconds", "reason"] as const;
const emptyRule = { kind: "block-prefix", value: "", ttlSeconds: 24 * 3600, reason: "" } as const;

/**
 * Adds a block or safe-list entry; each expires by itself. The form validates with the API's own
 * schema; whether a value fits its kind (a network length that is enforced, a real number) only
 * the server knows, and its answer is shown on the field. `networks` says which network lengths
 * can be blocked (they depend on CLIENT_IP_IPV6_PREFIX).
 */
export function RuleForm({ networks }: { networks: string }) {
  const router = useRouter();
  const [outcome, setOutcome] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm({ resolver: zodResolver(newRuleSchema), defaultValues: emptyRule });

  const submit = async (rule: NewRule) => {
    setOutcome(null);
    const result = await postJson<AddRuleResponse>("/api/admin/rules", rule);
    if (!result.ok) {
      if (!showFieldErrors(result.error, fieldNames, setError))
        setOutcome({ tone: "error", text: result.error.message });
      return;
    }
    reset(emptyRule);
    setOutcome({ tone: "success", text: `Added ${result.data.rule.kind} ${result.data.rule.value}.` });
    router.refresh();
  };

  return (
    <form
      onSubmit={(event) => void handleSubmit(submit)(event)}
      noValidate
      className="grid gap-3 sm:grid-cols-2"
      aria-label="Add a rule"
      aria-busy={isSubmitting}
    >
      <Field id="rule-kind" label="Action" error={errors.kind?.message}>
        {(control) => (
          <Select {...control} {...register("kind")}>
            {kinds.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field
        id="rule-value"
        label="Value"
        error={errors.value?.message}
        hint={`+6581, +6581234567, 203.0.113.7, 203.0.113.0/24 or SG. Networks: ${networks}.`}
      >
        {(control) => <Input {...control} autoComplete="off" {...register("value")} />}
      </Field>
      <Field id="rule-ttl" label="For" error={errors.ttlSeconds?.message}>
        {(control) => (
          <Select {...control} {...register("ttlSeconds", { valueAsNumber: true })}>
            {durations.map(([seconds, label]) => (
              <option key={seconds} value={seconds}>
                {label}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field id="rule-reason" label="Reason (optional)" error={errors.reason?.message}>
        {(control) => <Input {...control} autoComplete="off" {...register("reason")} />}
      </Field>
      <div className="space-y-2 sm:col-span-2">
        <div aria-live="polite">{outcome ? <Alert tone={outcome.tone}>{outcome.text}</Alert> : null}</div>
        <Button type="submit" pending={isSubmitting}>
          {isSubmitting ? "Saving…" : "Add rule"}
        </Button>
      </div>
    </form>
  );
}

/** Lifts one rule at once. */
export function RemoveRuleButton({ kind, value }: { kind: RuleKind; value: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <span className="flex items-center gap-2">
      {problem ? (
        <span role="alert" className="text-sm text-red-700">
          {problem}
        </span>
      ) : null}
      <Button
        type="button"
        variant="danger-link"
        className="text-sm"
        pending={pending}
        aria-label={`Remove ${kind} ${value}`}
        onClick={async () => {
          setPending(true);
          setProblem(null);
          const result = await fetchJson<null>(`/api/admin/rules?${new URLSearchParams({ kind, value })}`, {
            method: "DELETE",
          });
          setPending(false);
          if (!result.ok) setProblem(result.error.message);
          router.refresh();
        }}
      >
        {pending ? "Removing…" : "Remove"}
      </Button>
    </span>
  );
}
