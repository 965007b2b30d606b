"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import {
  newRuleSchema,
  type AddRuleResponse,
  type AdminRule,
  type NewRule,
  type RuleKind,
} from "@/lib/api/admin";
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

const utc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const durationLabel = (seconds: number) =>
  durations.find(([value]) => value === seconds)?.[1] ?? `${seconds} s`;

/**
 * How the server writes a value, near enough to find the rule it would replace: the listed rules
 * are canonical (E.164 without spaces, lower-case IPv6, upper-case countries). A value written
 * another way (a national number) is only recognised by the server, which replaces it unasked.
 */
function roughlyCanonical(kind: RuleKind, value: string): string {
  const text = value.trim();
  if (kind === "block-country") return text.toUpperCase();
  if (kind.endsWith("-phone") || kind.endsWith("-prefix")) return text.replace(/[\s().-]/g, "");
  return text.toLowerCase();
}

type Outcome = { tone: "error" | "success"; text: string };

/**
 * Adds a block or safe-list entry; each expires by itself. The form validates with the API's own
 * schema; whether a value fits its kind (a network length that is enforced, a real number) only
 * the server knows, and its answer is shown on the field. Adding a rule that is in force for longer
 * would shorten it: the form asks first. `networks` says which network lengths can be blocked (they
 * depend on CLIENT_IP_IPV6_PREFIX); `rules` are the rules in force.
 */
export function RuleForm({ networks, rules }: { networks: string; rules: AdminRule[] }) {
  const router = useRouter();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [shortening, setShortening] = useState<{ rule: NewRule; existing: AdminRule } | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm({ resolver: zodResolver(newRuleSchema), defaultValues: emptyRule });

  const save = async (rule: NewRule) => {
    setOutcome(null);
    const result = await postJson<AddRuleResponse>("/api/admin/rules", rule);
    if (!result.ok) {
      if (!showFieldErrors(result.error, fieldNames, setError))
        setOutcome({ tone: "error", text: `Not saved: ${result.error.message}` });
      return;
    }
    reset(emptyRule);
    const saved = result.data.rule;
    setOutcome({
      tone: "success",
      text: `Saved: ${saved.kind} ${saved.value} until ${utc(saved.expiresAt)}.`,
    });
    router.refresh();
  };

  const submit = async (rule: NewRule) => {
    const value = roughlyCanonical(rule.kind, rule.value);
    const existing = rules.find((entry) => entry.kind === rule.kind && entry.value === value);
    if (existing && Date.parse(existing.expiresAt) > Date.now() + rule.ttlSeconds * 1000) {
      setOutcome(null);
      setShortening({ rule, existing });
      return;
    }
    await save(rule);
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
      <ConfirmDialog
        open={shortening !== null}
        title="Replace with a shorter rule?"
        confirmLabel={`Replace: ${shortening ? durationLabel(shortening.rule.ttlSeconds) : ""} from now`}
        cancelLabel="Keep the longer rule"
        onCancel={() => {
          if (shortening)
            setOutcome({
              tone: "success",
              text: `Nothing changed: ${shortening.existing.kind} ${shortening.existing.value} stays until ${utc(shortening.existing.expiresAt)}.`,
            });
          setShortening(null);
        }}
        onConfirm={() => {
          const rule = shortening?.rule;
          setShortening(null);
          if (rule) void save(rule);
        }}
      >
        {shortening ? (
          <p>
            {shortening.existing.kind} <span className="font-mono">{shortening.existing.value}</span> is in
            force until {utc(shortening.existing.expiresAt)}. Adding it for{" "}
            {durationLabel(shortening.rule.ttlSeconds)} ends it sooner.
          </p>
        ) : null}
      </ConfirmDialog>
    </form>
  );
}

/**
 * The rules in force, each with Remove. Removing asks first (a lifted block lets its traffic in at
 * once, on every instance); the outcome is said in a region that outlives the removed row.
 */
export function RulesInForce({ rules }: { rules: AdminRule[] }) {
  const router = useRouter();
  const [removing, setRemoving] = useState<AdminRule | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function remove(rule: AdminRule) {
    const name = `${rule.kind} ${rule.value}`;
    setPending(name);
    setOutcome(null);
    const result = await fetchJson<null>(
      `/api/admin/rules?${new URLSearchParams({ kind: rule.kind, value: rule.value })}`,
      { method: "DELETE" },
    );
    setPending(null);
    setOutcome(
      result.ok
        ? { tone: "success", text: `Removed ${name}.` }
        : { tone: "error", text: `Not removed: ${name}. ${result.error.message}` },
    );
    router.refresh();
  }

  return (
    <div className="space-y-3">
      <div aria-live="polite">{outcome ? <Alert tone={outcome.tone}>{outcome.text}</Alert> : null}</div>
      {rules.length === 0 ? (
        <p className="text-sm text-slate-600">No rules.</p>
      ) : (
        <ul aria-label="Rules in force" className="divide-y divide-slate-100 text-sm">
          {rules.map((rule) => {
            const name = `${rule.kind} ${rule.value}`;
            return (
              <li
                key={`${rule.kind}:${rule.value}`}
                className="flex flex-wrap items-center justify-between gap-2 py-2"
              >
                <span className="min-w-0 break-words">
                  <Badge tone={rule.kind.startsWith("block-") ? "danger" : "success"}>{rule.kind}</Badge>{" "}
                  <span className="font-mono break-all">{rule.value}</span>
                  <span className="block text-xs text-slate-600">
                    until {utc(rule.expiresAt)} · by {rule.createdBy}
                    {rule.reason ? ` · ${rule.reason}` : ""}
                  </span>
                </span>
                <Button
                  type="button"
                  variant="danger-link"
                  className="text-sm"
                  pending={pending === name}
                  aria-label={`Remove ${name}`}
                  onClick={() => setRemoving(rule)}
                >
                  {pending === name ? "Removing…" : "Remove"}
                </Button>
              </li>
            );
          })}
        </ul>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing ? `${removing.kind} ${removing.value}` : "the rule"}?`}
        confirmLabel="Remove"
        destructive
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          const rule = removing;
          setRemoving(null);
          if (rule) void remove(rule);
        }}
      >
        {removing?.kind.startsWith("block-")
          ? "What it blocks is allowed again at once, on every instance."
          : "The automatic per-number and per-prefix limits apply to it again at once."}
      </ConfirmDialog>
    </div>
  );
}
