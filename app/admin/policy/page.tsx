import { Card } from "@/components/ui/card";
import { requireAdminForPage } from "@/lib/admin/access";
import { defaultLimits, formatWindow, type LimitName } from "@/lib/config";
import { getEnv } from "@/lib/env";

/** The limits and rules in effect on this deployment, read from the configuration. */
export default async function AdminPolicyPage() {
  await requireAdminForPage();
  const env = getEnv();
  return (
    <div className="space-y-6">
      <Card title="Limits in effect">
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th scope="col">Limit</th>
              <th scope="col">In effect</th>
              <th scope="col">What it counts</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {(Object.keys(defaultLimits) as LimitName[]).map((name) => (
              <tr key={name}>
                <td className="py-1 font-mono">{name}</td>
                <td className="whitespace-nowrap">
                  {env.limits[name].limit} per {formatWindow(env.limits[name].windowSeconds)}
                </td>
                <td>{defaultLimits[name].scope}</td>
              </tr>
            ))}
          </tbody>
        </table>
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
