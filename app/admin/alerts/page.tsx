import type { Metadata } from "next";
import { TestAlertButton } from "@/components/admin/test-alert-button";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableRow } from "@/components/ui/table";
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
          <Table
            caption="Recent alert deliveries, newest first"
            hideCaption
            scrollable
            className="min-w-[640px]"
          >
            <TableHead
              columns={["Raised", "Alert", "Subject", "Status", "Attempts", "Last answer", "Updated"]}
            />
            <TableBody>
              {alerts.deliveries.map((delivery) => (
                <TableRow key={delivery.id}>
                  <TableCell className="whitespace-nowrap">{time(delivery.occurredAt)}</TableCell>
                  <TableCell>
                    {alertKinds[delivery.kind]?.label ?? delivery.kind} {delivery.state}
                  </TableCell>
                  <TableCell className="font-mono">{delivery.subject}</TableCell>
                  <TableCell>
                    <span className={`rounded px-2 py-0.5 ${statusLabels[delivery.status].className}`}>
                      {statusLabels[delivery.status].label}
                    </span>
                  </TableCell>
                  <TableCell>{delivery.attempts}</TableCell>
                  <TableCell>
                    {delivery.lastHttpStatus ? `HTTP ${delivery.lastHttpStatus}` : ""}
                    {delivery.lastError ? (
                      <span className="block text-xs text-slate-600">{delivery.lastError}</span>
                    ) : null}
                  </TableCell>
                  <TableCell className="whitespace-nowrap">{time(delivery.updatedAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>
    </div>
  );
}
