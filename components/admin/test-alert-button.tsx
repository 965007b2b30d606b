"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

type Delivery = { id: string; status: string; attempts: number; lastError: string | null };

const POLL_EVERY_MS = 1000;
/** Long enough for a few retries; the table below keeps the final status anyway. */
const POLL_FOR_MS = 30_000;

/**
 * Sends a test alert, then follows its delivery until it is final (or half a minute passed) and
 * says the outcome in a live region.
 */
export function TestAlertButton() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<{ tone: "success" | "error" | "info"; text: string } | null>(null);

  async function sendTestAlert() {
    setPending(true);
    setOutcome(null);
    const response = await fetch("/api/admin/alerts/test", { method: "POST" }).catch(() => null);
    const body = (await response?.json().catch(() => null)) as {
      id?: string | null;
      error?: { message?: string };
    } | null;
    if (!response?.ok || !body?.id) {
      setPending(false);
      setOutcome({ tone: "error", text: body?.error?.message ?? "The test alert was not sent." });
      return;
    }
    const delivery = await followDelivery(body.id);
    setPending(false);
    setOutcome(describe(delivery));
    router.refresh();
  }

  return (
    <div className="space-y-2">
      <Button type="button" pending={pending} onClick={sendTestAlert}>
        {pending ? "Sending…" : "Send a test alert"}
      </Button>
      <div aria-live="polite">{outcome ? <Alert tone={outcome.tone}>{outcome.text}</Alert> : null}</div>
    </div>
  );
}

async function followDelivery(id: string): Promise<Delivery | null> {
  const until = Date.now() + POLL_FOR_MS;
  let latest: Delivery | null = null;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
    const response = await fetch("/api/admin/alerts", { cache: "no-store" }).catch(() => null);
    if (!response?.ok) continue;
    const { deliveries } = (await response.json()) as { deliveries: Delivery[] };
    latest = deliveries.find((delivery) => delivery.id === id) ?? latest;
    if (latest && latest.status !== "pending") return latest;
  }
  return latest;
}

function describe(delivery: Delivery | null): { tone: "success" | "error" | "info"; text: string } {
  switch (delivery?.status) {
    case "delivered":
      return { tone: "success", text: "Test alert delivered." };
    case "not_configured":
      return { tone: "info", text: "Test alert recorded; no webhook is configured, so nothing was sent." };
    case "failed":
      return {
        tone: "error",
        text: `Test alert failed after ${delivery.attempts} attempt(s): ${delivery.lastError ?? "no answer"}.`,
      };
    case "dropped":
      return { tone: "error", text: "Test alert dropped: the alert queue was full." };
    default:
      return { tone: "info", text: "Test alert queued; it is still being delivered (see below)." };
  }
}
