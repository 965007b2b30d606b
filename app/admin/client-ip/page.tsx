import type { Metadata } from "next";
import { headers } from "next/headers";
import { Card } from "@/components/ui/card";
import { requireAdminForPage } from "@/lib/admin/access";
import { diagnoseClientIp } from "@/lib/client-ip/request";

export const metadata: Metadata = { title: "Client IP" };

/** The first page to open behind a new proxy: what the app sees, and what it makes of it. */
export default async function ClientIpDiagnosticsPage() {
  await requireAdminForPage();
  const diagnosis = diagnoseClientIp(new Request("http://diagnostics.local", { headers: await headers() }));
  const rows: [string, string][] = [
    ["Resolved client address", diagnosis.resolved ?? "none — sends are refused"],
    ["Reason", diagnosis.reason],
    ["Strategy", JSON.stringify(diagnosis.strategy)],
    ["Configured by", diagnosis.source],
    ["TCP peer (npm start)", diagnosis.peerAddress ?? "not available"],
    ["Rate-limit key", diagnosis.keys?.address ?? "—"],
    ["Aggregate key", diagnosis.keys?.aggregate ?? "—"],
  ];
  return (
    <Card title="Client-IP diagnostics">
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-500">{label}</dt>
            <dd className="font-mono break-all">{value}</dd>
          </div>
        ))}
      </dl>
      <h2 className="mt-6 mb-2 font-semibold">Forwarding headers on this request</h2>
      {Object.keys(diagnosis.headers).length === 0 ? (
        <p className="text-sm text-slate-500">None.</p>
      ) : (
        <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          {Object.entries(diagnosis.headers).map(([name, value]) => (
            <div key={name} className="contents">
              <dt className="font-mono text-slate-500">{name}</dt>
              <dd className="font-mono break-all">{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}
