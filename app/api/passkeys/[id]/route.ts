import { NextResponse, type NextRequest } from "next/server";
import { removePasskey, renamePasskey } from "@/lib/accounts/passkeys";
import { renamePasskeyRequestSchema } from "@/lib/api/passkeys";
import { refusal } from "@/lib/http/errors";
import { onlyAllow } from "@/lib/http/method-not-allowed";
import { publicRoute } from "@/lib/http/public-route";
import { readJsonBody } from "@/lib/http/request-body";
import { requireSameOrigin } from "@/lib/http/same-origin";
import { requireRemovalAllowed } from "@/lib/passkeys/ceremonies";
import { requireSessionForPasskeys } from "@/lib/passkeys/current-session";

/** The credential id in `/api/passkeys/{id}` (base64url); anything else names no passkey. */
function passkeyIdOf(request: NextRequest): string {
  const id = decodeURIComponent(new URL(request.url).pathname.split("/").pop() ?? "");
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(id)) throw refusal("passkey.not_found");
  return id;
}

/** Renames one of the signed-in account's passkeys. */
export const PATCH = publicRoute("PATCH /api/passkeys/{id}", async (request) => {
  requireSameOrigin(request);
  const { name } = await readJsonBody(request, renamePasskeyRequestSchema);
  const session = await requireSessionForPasskeys();
  if (!(await renamePasskey(session.userId, passkeyIdOf(request), name))) throw refusal("passkey.not_found");
  return NextResponse.json({ status: "renamed", name });
});

/** Removes one of the signed-in account's passkeys (an admin's only after a recent passkey confirmation). */
export const DELETE = publicRoute("DELETE /api/passkeys/{id}", async (request) => {
  requireSameOrigin(request);
  const session = await requireSessionForPasskeys();
  requireRemovalAllowed(session);
  if (!(await removePasskey(session.userId, passkeyIdOf(request)))) throw refusal("passkey.not_found");
  return NextResponse.json({ status: "removed" });
});

const { GET, PUT } = onlyAllow("PATCH", "DELETE");
export { GET, PUT, GET as POST };
