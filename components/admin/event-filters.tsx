"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo } from "react";
import { useForm, type FieldErrors } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { eventFiltersSchema, type EventFilters, type EventFiltersInput } from "@/lib/api/admin";
import type { ApiError } from "@/lib/api/errors";

const filterFields = [
  { name: "rule", label: "Rule", placeholder: "limit.send.ip" },
  { name: "ip", label: "Address or network", placeholder: "203.0.113.0/24" },
  { name: "country", label: "Country", placeholder: "SG" },
  { name: "prefix", label: "Number prefix", placeholder: "+6581" },
  { name: "from", label: "From (UTC)", placeholder: "2026-11-29T08:00" },
  { name: "to", label: "To (UTC)", placeholder: "2026-11-29T09:00" },
] as const satisfies { name: keyof EventFiltersInput; label: string; placeholder: string }[];

/**
 * The event list's filters, checked with the API's own schema before the page is asked for them.
 * `problem` is the page's refusal of the current URL's query: its field messages are shown on
 * their fields. Without JavaScript the form still works as a plain GET form.
 */
export function EventFilterForm({
  values,
  problem,
}: {
  /** The current URL's query. */
  values: Record<string, string>;
  problem: ApiError | null;
}) {
  const router = useRouter();
  const defaultValues: EventFiltersInput = Object.fromEntries(
    filterFields.map(({ name }) => [name, values[name] ?? ""]),
  );
  // Memoised: react-hook-form applies `errors` again whenever the object changes.
  const serverErrors = useMemo(() => {
    const shown = filterFields.filter(({ name }) => problem?.fields?.[name]);
    if (shown.length === 0) return undefined;
    return Object.fromEntries(
      shown.map(({ name }) => [name, { type: "server", message: problem!.fields![name] }]),
    ) as FieldErrors<EventFiltersInput>;
  }, [problem]);
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting },
  } = useForm({ resolver: zodResolver(eventFiltersSchema), defaultValues, errors: serverErrors });

  const submit = (filters: EventFilters) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
    router.push(`/admin/events?${query}`);
  };

  return (
    <form
      method="get"
      onSubmit={(event) => void handleSubmit(submit)(event)}
      noValidate
      className="mb-4 grid gap-3 sm:grid-cols-4"
      aria-label="Filter events"
    >
      {filterFields.map((field) => (
        <Field
          key={field.name}
          id={`filter-${field.name}`}
          label={field.label}
          error={errors[field.name]?.message}
        >
          {(control) => <Input {...control} placeholder={field.placeholder} {...register(field.name)} />}
        </Field>
      ))}
      <div className="flex items-end gap-2">
        <Button type="submit" pending={isSubmitting}>
          Filter
        </Button>
        <Link href="/admin/events" className="py-2 text-sm text-indigo-700 underline">
          Clear
        </Link>
      </div>
      {problem && !serverErrors ? (
        <div className="sm:col-span-4">
          <Alert tone="error">{problem.message}</Alert>
        </div>
      ) : null}
    </form>
  );
}
