import { auth } from "@/lib/auth";
import { AppError, errorResponse } from "@/lib/http/errors";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { exportAccountData } from "@/lib/privacy/export-account";
import { DatabaseUnavailableError } from "@/lib/store/deadline";

export const dynamic = "force-dynamic";

/**
 * "Download my data": the signed-in account's records as a JSON file. Only the session's own
 * account is read (lib/privacy/export-account.ts), `401` signed out, `503` when the database
 * cannot confirm the session or answer; never cached, and not from another site's page.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    requireSameOrigin(request);
    const session = await auth();
    if (session?.unchecked) throw new DatabaseUnavailableError("check session");
    if (!session?.user?.id) throw new AppError("unauthorized", "Sign in to download your data.");
    const data = await exportAccountData(session.user.id);
    if (!data) throw new AppError("unauthorized", "Sign in to download your data.");
    return new Response(JSON.stringify(data, null, 2), {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="otp-shield-account-${data.exportedAt.slice(0, 10)}.json"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    return errorResponse(error, { route: "GET /api/account/data" });
  }
}

export const { PUT, PATCH, DELETE } = onlyAllow("GET");
export const POST = onlyAllow("GET").GET;
