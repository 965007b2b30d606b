"use client";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

/**
 * What a page shows when it cannot be rendered — most often because the database or the store did
 * not answer in time (the app fails closed rather than show anything unchecked). The error's
 * message is never shown: it may name internals.
 */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto max-w-md">
      <Card title="This page is unavailable right now">
        <div className="space-y-4 text-sm">
          <p role="alert">
            We could not load this page. It is usually a brief outage on our side: please try again in a
            moment.
          </p>
          <Button type="button" onClick={reset}>
            Try again
          </Button>
        </div>
      </Card>
    </div>
  );
}
