import { NextResponse } from "next/server";
import { extendBlock, liftBlock } from "@/lib/admin/fraud";
import { blockExtensionSchema, blockLiftSchema, type BlockExtensionResponse } from "@/lib/api/admin";
import { adminRoute } from "@/lib/http/admin-route";
import { AppError } from "@/lib/http/errors";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { requireAdminForApi } from "@/lib/admin/access";

export const dynamic = "force-dynamic";

/** Keeps an automatic block for longer (or shorter): `{label, extendSeconds}` from now. Audited. */
export const POST = adminRoute("POST /api/admin/blocks", async (request) => {
  await requireAdminForApi();
  requireSameOrigin(request);
  const { label, extendSeconds } = await readJsonBody(request, blockExtensionSchema);
  const extended = await extendBlock(label, extendSeconds);
  if (!extended) throw new AppError("not_found", "No such block in force.");
  return NextResponse.json<BlockExtensionResponse>({ label, until: extended.until });
});

/** Lifts an automatic block now: `?label=range%20%2B62812`. Audited. */
export const DELETE = adminRoute("DELETE /api/admin/blocks", async (request) => {
  await requireAdminForApi();
  requireSameOrigin(request);
  const parsed = blockLiftSchema.safeParse(Object.fromEntries(request.nextUrl.searchParams));
  if (!parsed.success)
    throw new AppError("bad_request", parsed.error.issues[0]?.message ?? "Give the block's label.", {
      fields: { label: parsed.error.issues[0]?.message ?? "Give the block's label." },
    });
  if (!(await liftBlock(parsed.data.label))) throw new AppError("not_found", "No such block in force.");
  return new NextResponse(null, { status: 204 });
});

export const { GET, PUT, PATCH } = onlyAllow("POST", "DELETE");
