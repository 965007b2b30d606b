import type { Metadata } from "next";
import { TestAlertButton } from "@/components/admin/test-alert-button";
import { Card } from "@/components/ui/card";
import { requireAdminForPage } from "@/lib/admin/access";
import { alertKinds, type DeliveryRecord } from "@/lib/alerts";
import { getAlertConsole } from "@/lib/admin/alerts";

export const metadata: Metadata = { title: "Alerts" };

const time = (iso: string) => `${iso.slice(0, 19).replace("T", " ")} UTC`;

const statusLabels: Record<DeliveryRecord["status"], { label: string; className: string }> = {
  pending: { label: "pending", className: "bg-sky-100 text-sky-900" },
  delivered: { label: "delivered", className: "bg-emerald-100 text-emerald-800" },
  failed: { label: "failed", className: "bg-red-100 text-red-800" },
  dropped: { label: "dropped", className: "bg-amber-100 text-amber-900" },
  not_configured: { label: "not configured", className: "bg-slate-100 text-slate-700" },
};

export default async function AdminAlertsPage() {
  await requireAdminForPage();
  const alerts = await getAlertConsole();
  return (
    <div className="space-y-6">
      <Card title="Alerts">
        <p className="mb-4 text-sm text-slate-600">
          A signed webhook tells you when a defense trips and when it ends: attack mode, an automatic block, a
          spend budget. Each alert is tried up to {alerts.maxAttempts} times; at most {alerts.queueCapacity}{" "}
          wait on each instance, and the oldest is dropped when more arrive.
        </p>
        <dl className="mb-4 grid gap-2 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-slate-500">Webhook</dt>
            <dd>
              {alerts.webhookOrigin ? (
                <span className="font-mono">{alerts.webhookOrigin}</span>
              ) : (
                <span>Not configured: alerts are recorded here but not sent (set ALERT_WEBHOOK_URL).</span>
              )}
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">Dropped (queue full)</dt>
            <dd>{alerts.dropped}</dd>
          </div>
        </dl>
        <TestAlertButton />
      </Card>
      <Card title="Recent deliveries">
        {alerts.deliveries.length === 0 ? (
          <p className="text-sm text-slate-500">No alerts yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <caption className="sr-only">Recent alert deliveries, newest first</caption>
              <thead>
                <tr className="text-left text-slate-500">
                  <th scope="col">Raised</th>
                  <th scope="col">Alert</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last answer</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {alerts.deliveries.map((delivery) => (
                  <tr key={delivery.id} className="align-top">
                    <td className="py-1 pr-2 whitespace-nowrap">{time(delivery.occurredAt)}</td>
                    <td className="pr-2">
                      {alertKinds[delivery.kind]?.label ?? delivery.kind} {delivery.state}
                    </td>
                    <td className="pr-2 font-mono">{delivery.subject}</td>
                    <td className="pr-2">
                      <span className={`rounded px-2 py-0.5 ${statusLabels[delivery.status].className}`}>
                        {statusLabels[delivery.status].label}
                      </span>
                    </td>
                    <td className="pr-2">{delivery.attempts}</td>
                    <td className="pr-2">
                      {delivery.lastHttpStatus ? `HTTP ${delivery.lastHttpStatus}` : ""}
                      {delivery.lastError ? (
                        <span className="block text-xs text-slate-500">{delivery.lastError}</span>
                      ) : null}
                    </td>
                    <td className="whitespace-nowrap">{time(delivery.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
