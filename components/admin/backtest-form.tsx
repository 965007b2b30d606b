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
import { backtestQuerySchema, type BacktestQuery, type BacktestQueryInput } from "@/lib/api/admin";
import type { ApiError } from "@/lib/api/errors";

type FieldName = keyof BacktestQueryInput;

const fields: { name: FieldName; label: string }[] = [
  { name: "days", label: "Days of history" },
  { name: "rangeFloor", label: "Range floor (unverified sends)" },
  { name: "countryFloor", label: "Country floor (unverified sends)" },
  { name: "rangeSlack", label: "Range slack (×)" },
  { name: "countrySlack", label: "Country slack (×)" },
  { name: "prefixLimit", label: "send.prefix limit" },
  { name: "countryLimit", label: "send.country limit" },
  { name: "countryHourUsd", label: "Country spend per hour (USD)" },
  { name: "countryDayUsd", label: "Country spend per day (USD)" },
  { name: "globalHourUsd", label: "Total spend per hour (USD)" },
  { name: "globalDayUsd", label: "Total spend per day (USD)" },
];

/**
 * The backtest's proposal, checked with the page's own schema before it is run; a blank field
 * keeps the setting in force (shown as its placeholder). Without JavaScript it is a plain GET form.
 */
export function BacktestForm({
  values,
  current,
  problem,
}: {
  /** The current URL's query. */
  values: Record<string, string>;
  /** The settings in force, by field: the placeholders. */
  current: Record<FieldName, string>;
  problem: ApiError | null;
}) {
  const router = useRouter();
  const defaultValues = Object.fromEntries(fields.map(({ name }) => [name, values[name] ?? ""]));
  // Memoised: react-hook-form applies `errors` again whenever the object changes.
  const serverErrors = useMemo(() => {
    const shown = fields.filter(({ name }) => problem?.fields?.[name]);
    if (shown.length === 0) return undefined;
    return Object.fromEntries(
      shown.map(({ name }) => [name, { type: "server", message: problem!.fields![name] }]),
    ) as FieldErrors<BacktestQueryInput>;
  }, [problem]);
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting },
  } = useForm<BacktestQueryInput, unknown, BacktestQuery>({
    resolver: zodResolver(backtestQuerySchema),
    defaultValues,
    errors: serverErrors,
  });

  const submit = (proposal: BacktestQuery) => {
    const query = new URLSearchParams({ run: "1" });
    for (const [name, value] of Object.entries(proposal))
      if (value !== undefined) query.set(name, String(value));
    router.push(`/admin/backtest?${query}`);
  };

  return (
    <form
      method="get"
      onSubmit={(event) => void handleSubmit(submit)(event)}
      noValidate
      className="grid gap-3 sm:grid-cols-4"
      aria-label="Backtest a proposal"
    >
      <input type="hidden" name="run" value="1" />
      {fields.map((field) => (
        <Field
          key={field.name}
          id={`backtest-${field.name}`}
          label={field.label}
          error={errors[field.name]?.message}
        >
          {(control) => (
            <Input
              {...control}
              inputMode="decimal"
              placeholder={current[field.name]}
              // Rendered too: react-hook-form sets values only once hydrated (the no-JS form).
              defaultValue={defaultValues[field.name]}
              {...register(field.name)}
            />
          )}
        </Field>
      ))}
      <div className="flex items-end gap-2">
        <Button type="submit" pending={isSubmitting}>
          Run backtest
        </Button>
        <Link href="/admin/backtest" className="py-2 text-sm text-indigo-700 underline">
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
