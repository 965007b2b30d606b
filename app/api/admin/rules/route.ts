import { NextResponse } from "next/server";
import { requireAdminForApi } from "@/lib/admin/access";
import { recordAdminAction } from "@/lib/admin/audit";
import { newRuleSchema, ruleRemovalSchema, type AddRuleResponse, type RulesResponse } from "@/lib/api/admin";
import { addRule, describeRuleTarget, listRules, removeRule } from "@/lib/defenses/operator-rules";
import { adminRoute } from "@/lib/http/admin-route";
import { AppError } from "@/lib/http/errors";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/** Blocks and safe-list entries in force. */
export const GET = adminRoute("GET /api/admin/rules", async () => {
  await requireAdminForApi();
  return NextResponse.json<RulesResponse>({ rules: await listRules() });
});

/** Adds a block or safe-list entry with a TTL: `{kind, value, ttlSeconds, reason?}`. Audited. */
export const POST = adminRoute("POST /api/admin/rules", async (request) => {
  const session = await requireAdminForApi();
  requireSameOrigin(request);
  const input = await readJsonBody(request, newRuleSchema);
  const rule = await addRule(input, session.user.phone);
  await recordAdminAction(session, {
    action: "add rule",
    target: describeRuleTarget(rule),
    detail: `until ${rule.expiresAt}${rule.reason ? `: ${rule.reason}` : ""}`,
  });
  return NextResponse.json<AddRuleResponse>({ rule }, { status: 201 });
});

/** Lifts a rule: `?kind=block-prefix&value=%2B6581`. Audited. */
export const DELETE = adminRoute("DELETE /api/admin/rules", async (request) => {
  const session = await requireAdminForApi();
  requireSameOrigin(request);
  const parsed = ruleRemovalSchema.safeParse(Object.fromEntries(request.nextUrl.searchParams));
  if (!parsed.success) throw new AppError("bad_request", "Give kind and value of the rule to remove.");
  if (!(await removeRule(parsed.data.kind, parsed.data.value)))
    throw new AppError("not_found", "No such rule.");
  await recordAdminAction(session, { action: "remove rule", target: describeRuleTarget(parsed.data) });
  return new NextResponse(null, { status: 204 });
});
