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
import { Select } from "@/components/ui/select";
import {
  eventFiltersSchema,
  eventRoutes,
  parseFilterTime,
  type EventFilters,
  type EventFiltersInput,
} from "@/lib/api/admin";
import type { ApiError } from "@/lib/api/errors";
import { isRuleFilter, ruleFilterGroups } from "@/lib/api/rule-filter";

type FieldName = keyof EventFiltersInput;

const labels: Record<FieldName, string> = {
  rule: "Rule",
  route: "Route",
  ip: "Address or network",
  country: "Country",
  prefix: "Number prefix",
  from: "From (UTC)",
  to: "To (UTC)",
};
const fieldNames = Object.keys(labels) as FieldName[];
const textFields = [
  { name: "ip", placeholder: "203.0.113.0/24" },
  { name: "country", placeholder: "SG" },
  { name: "prefix", placeholder: "+6581" },
] as const;

/**
 * The event list's filters, checked with the API's own schema before the page is asked for them.
 * `problem` is the page's refusal of the current URL's query: its field messages are shown on
 * their fields, and every value stays as given, so the operator corrects rather than retypes.
 * Without JavaScript the form still works as a plain GET form.
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
  // Also rendered as the fields' own default values: react-hook-form sets values only once
  // hydrated, and the form without JavaScript must show them too.
  const defaultValues = Object.fromEntries(fieldNames.map((name) => [name, values[name] ?? ""])) as Record<
    FieldName,
    string
  >;
  // Memoised: react-hook-form applies `errors` again whenever the object changes.
  const serverErrors = useMemo(() => {
    const shown = fieldNames.filter((name) => problem?.fields?.[name]);
    if (shown.length === 0) return undefined;
    return Object.fromEntries(
      shown.map((name) => [name, { type: "server", message: problem!.fields![name] }]),
    ) as FieldErrors<EventFiltersInput>;
  }, [problem]);
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting },
  } = useForm<EventFiltersInput, unknown, EventFilters>({
    resolver: zodResolver(eventFiltersSchema),
    defaultValues: defaultValues as EventFiltersInput,
    errors: serverErrors,
  });

  const submit = (filters: EventFilters) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
    router.push(`/admin/events?${query}`);
  };

  // A rule from a hand-edited URL that the list does not hold is kept as an option of its own.
  const unknownRule = values.rule && !isRuleFilter(values.rule) ? values.rule : null;
  // A date-time field empties a value it cannot read: a malformed time from the URL is shown in
  // a text field instead, so the operator sees what was refused.
  const timeType = (name: "from" | "to") =>
    values[name] && Number.isNaN(parseFilterTime(values[name])) ? "text" : "datetime-local";

  return (
    <form
      method="get"
      action="/admin/events"
      onSubmit={(event) => void handleSubmit(submit)(event)}
      noValidate
      className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4"
      aria-label="Filter events"
    >
      {problem ? (
        <div className="sm:col-span-2 lg:col-span-4">
          <Alert tone="error">
            These filters were not applied:{" "}
            {problem.fields && Object.keys(problem.fields).length > 0
              ? Object.values(problem.fields).join(" ")
              : problem.message}
          </Alert>
        </div>
      ) : null}
      <Field id="filter-rule" label={labels.rule} error={errors.rule?.message} className="lg:col-span-2">
        {(control) => (
          <Select {...control} defaultValue={defaultValues.rule} {...register("rule")}>
            <option value="">Any rule</option>
            {unknownRule ? <option value={unknownRule}>{unknownRule} (not in the list)</option> : null}
            {ruleFilterGroups.map((group) => (
              <optgroup key={group.family} label={group.family}>
                {group.patterns.map((pattern) => (
                  <option key={pattern.value} value={pattern.value}>
                    {pattern.value} (all {pattern.count} rules)
                  </option>
                ))}
                {group.rules.map((rule) => (
                  <option key={rule} value={rule}>
                    {rule}
                  </option>
                ))}
              </optgroup>
            ))}
          </Select>
        )}
      </Field>
      <Field id="filter-route" label={labels.route} error={errors.route?.message} className="lg:col-span-2">
        {(control) => (
          <Select {...control} defaultValue={defaultValues.route} {...register("route")}>
            <option value="">Any route</option>
            {eventRoutes.map((route) => (
              <option key={route} value={route}>
                {route}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {textFields.map((field) => (
        <Field
          key={field.name}
          id={`filter-${field.name}`}
          label={labels[field.name]}
          error={errors[field.name]?.message}
        >
          {(control) => (
            <Input
              {...control}
              placeholder={field.placeholder}
              autoComplete="off"
              defaultValue={defaultValues[field.name]}
              {...register(field.name)}
            />
          )}
        </Field>
      ))}
      <div className="hidden lg:block" />
      {(["from", "to"] as const).map((name) => (
        <Field key={name} id={`filter-${name}`} label={labels[name]} error={errors[name]?.message}>
          {(control) => (
            <Input
              {...control}
              type={timeType(name)}
              step={60}
              defaultValue={defaultValues[name]}
              {...register(name)}
            />
          )}
        </Field>
      ))}
      <div className="flex items-end gap-3 sm:col-span-2">
        <Button type="submit" pending={isSubmitting}>
          Filter
        </Button>
        <Link href="/admin/events" className="py-2 text-sm text-indigo-700 underline">
          Clear
        </Link>
      </div>
    </form>
  );
}
