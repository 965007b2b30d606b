import type { Metadata } from "next";
import { RuleForm, RulesInForce } from "@/components/admin/rule-form";
import { Card } from "@/components/ui/card";
import { requireAdminForPage } from "@/lib/admin/access";
import { listAdminActions } from "@/lib/admin/audit";
import { describeBlockableNetworks, listRules } from "@/lib/defenses/operator-rules";

export const metadata: Metadata = { title: "Blocks and safe list" };

const time = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

export default async function AdminRulesPage() {
  await requireAdminForPage();
  const [rules, actions] = await Promise.all([listRules(), listAdminActions(50)]);
  return (
    <div className="space-y-6">
      <Card title="Blocks and safe list">
        <p className="mb-4 text-sm text-slate-600">
          Blocks refuse sends at once, on every instance. Safe-listed numbers and prefixes are never refused
          by the automatic per-number and per-prefix limits (address limits and blocks still apply). Every
          rule expires. A network block refuses every address inside it; an IPv6 address block covers the
          network every limit counts as one client.
        </p>
        <RuleForm networks={describeBlockableNetworks()} rules={rules} />
      </Card>
      <Card title="In force">
        <RulesInForce rules={rules} />
      </Card>
      <Card title="Audit log">
        {actions.length === 0 ? (
          <p className="text-sm text-slate-500">No admin actions yet.</p>
        ) : (
          <ul aria-label="Admin actions" className="space-y-1 text-sm">
            {actions.map((action, index) => (
              <li key={`${action.at}-${index}`}>
                <span className="text-slate-500">{time(action.at)}</span> {action.admin} — {action.action}{" "}
                <span className="font-mono">{action.target}</span>
                {action.detail ? <span className="text-slate-500"> ({action.detail})</span> : null}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
