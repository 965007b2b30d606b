import { RemoveRuleButton, RuleForm } from "@/components/admin/rule-form";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { requireAdminForPage } from "@/lib/admin/access";
import { listAdminActions } from "@/lib/admin/audit";
import { describeBlockableNetworks, listRules } from "@/lib/defenses/operator-rules";

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
        <RuleForm networks={describeBlockableNetworks()} />
      </Card>
      <Card title="In force">
        {rules.length === 0 ? (
          <p className="text-sm text-slate-500">No rules.</p>
        ) : (
          <ul aria-label="Rules in force" className="divide-y divide-slate-100 text-sm">
            {rules.map((rule) => (
              <li
                key={`${rule.kind}:${rule.value}`}
                className="flex flex-wrap items-center justify-between gap-2 py-2"
              >
                <span>
                  <Badge tone={rule.kind.startsWith("block-") ? "danger" : "success"}>{rule.kind}</Badge>{" "}
                  <span className="font-mono">{rule.value}</span>
                  <span className="block text-xs text-slate-500">
                    until {time(rule.expiresAt)} · by {rule.createdBy}
                    {rule.reason ? ` · ${rule.reason}` : ""}
                  </span>
                </span>
                <RemoveRuleButton kind={rule.kind} value={rule.value} />
              </li>
            ))}
          </ul>
        )}
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
