"use client";

import { useErrorWords } from "@/components/error-words";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

/**
 * What a page shows when it cannot be rendered — most often because the database or the store did
 * not answer in time (the app fails closed rather than show anything unchecked). The error's
 * message is never shown: it may name internals.
 */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const words = useErrorWords();
  return (
    <div className="mx-auto max-w-md">
      <Card title={words.title}>
        <div className="space-y-4 text-sm">
          <p role="alert">{words.body}</p>
          <Button type="button" onClick={reset}>
            {words.retry}
          </Button>
        </div>
      </Card>
    </div>
  );
}
