import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableRow } from "@/components/ui/table";
import { requireAdminForPage } from "@/lib/admin/access";
import { defaultLimits, formatWindow, type LimitName } from "@/lib/config";
import { getEnv } from "@/lib/env";

export const metadata: Metadata = { title: "Policy" };

/** The limits and rules in effect on this deployment, read from the configuration. */
export default async function AdminPolicyPage() {
  await requireAdminForPage();
  const env = getEnv();
  return (
    <div className="space-y-6">
      <Card title="Limits in effect">
        <Table caption="Limits in effect" hideCaption>
          <TableHead columns={["Limit", "In effect", "What it counts"]} />
          <TableBody>
            {(Object.keys(defaultLimits) as LimitName[]).map((name) => (
              <TableRow key={name}>
                <TableCell header className="font-mono wrap-anywhere">
                  {name}
                </TableCell>
                <TableCell className="whitespace-nowrap">
                  {env.limits[name].limit} per {formatWindow(env.limits[name].windowSeconds)}
                </TableCell>
                <TableCell>{defaultLimits[name].scope}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
      <Card title="Other rules">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          <dt className="text-slate-500">Allowed countries</dt>
          <dd>{[...env.destinations.allowedCountries].sort().join(", ")}</dd>
          <dt className="text-slate-500">Denied countries</dt>
          <dd>{[...env.destinations.deniedCountries].join(", ") || "none"}</dd>
          <dt className="text-slate-500">Line types accepted</dt>
          <dd>mobile, fixed line or mobile{env.destinations.allowVoip ? ", VoIP" : ""}</dd>
          <dt className="text-slate-500">CAPTCHA</dt>
          <dd>
            {env.captcha.provider}
            {env.captcha.provider === "altcha"
              ? ` (cost ${env.captcha.altcha.cost}, counter up to ${env.captcha.altcha.maxCounter}, ×${env.captcha.altcha.attackCostMultiplier} in attack mode above ${env.captcha.attackModeSendsPerMinute} sends a minute)`
              : ""}
          </dd>
          <dt className="text-slate-500">Code</dt>
          <dd>
            {env.otp.codeLength} digits, valid {formatWindow(env.otp.codeValiditySeconds)}, resend delay from{" "}
            {formatWindow(env.otp.resendIntervalSeconds)} doubling each time
          </dd>
          <dt className="text-slate-500">Client address</dt>
          <dd>
            {env.clientIp.source}: <span className="font-mono">{JSON.stringify(env.clientIp.strategy)}</span>
          </dd>
          <dt className="text-slate-500">Admin sessions</dt>
          <dd>admin rights for {env.adminSessionMinutes} minutes after each sign-in</dd>
        </dl>
      </Card>
    </div>
  );
}
