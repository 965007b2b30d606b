"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { sendRequestSchemaFor, sendRequestShapeFor, verifyRequestSchemaFor } from "@/lib/api/otp";
import { getEnv } from "@/lib/env";
import { parseBody } from "@/lib/http/request-body";
import { runPublicAction, type ActionRefusal } from "@/lib/http/public-route";
import { getMessages } from "@/lib/i18n/server";
import { formatPhone } from "@/lib/phone";
import type { CodeStep, SignInNotice, SignInState } from "@/lib/sign-in/flow-state";
import {
  getPendingVerification,
  getWaitingCode,
  PENDING_COOKIE_NAME,
} from "@/lib/sign-in/pending-verification";
import { safeReturnPath } from "@/lib/sign-in/return-path";
import { completeSignIn, requestCode } from "@/lib/sign-in/steps";

/**
 * The sign-in page's one server action. Its form posts here with JavaScript (React calls it) and
 * without (a plain POST; the page renders the answer), so the number travels in a request body,
 * never in a URL. Sending and checking take the same steps as the JSON API (lib/sign-in/steps.ts)
 * behind the same guards; the intent is the submit button that was pressed.
 */
export async function signInAction(state: SignInState, form: FormData): Promise<SignInState> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  const base = {
    phone: field("phone").slice(0, 100),
    country: field("country").slice(0, 2),
    next: safeReturnPath(field("next")),
    answer: (state?.answer ?? 0) + 1,
  };
  switch (field("intent")) {
    case "change":
      return { ...base, step: "phone" };
    case "verify":
      return verify(base, field("code"));
    case "resend":
      return send(base, { captcha: field("captcha"), website: "", resend: true });
    default:
      return send(base, { captcha: field("captcha"), website: field("website"), resend: false });
  }
}

type Base = Pick<SignInState, "phone" | "country" | "next" | "answer">;

// The same steps as the API's, recorded under the same names: the console's route filter and
// per-route figures (lib/api/admin.ts, `eventRoutes`) count sends and checks from this page too.
const SEND_ROUTE = "POST /api/otp/send";
const VERIFY_ROUTE = "POST /api/otp/verify";

async function send(
  base: Base,
  { captcha, website, resend }: { captcha: string; website: string; resend: boolean },
): Promise<SignInState> {
  const { locale } = await getMessages();
  const input = {
    phone: base.phone,
    ...(base.country ? { country: base.country } : {}),
    ...(captcha ? { captcha } : {}),
    ...(website ? { website } : {}),
  };

  // Back to the code: the same number again while this browser's code for it still works goes
  // back to that code, instead of asking for (and paying for, or being refused) another.
  // The number is parsed only for a browser that has a live code: a bot posting the form pays no
  // parse before the send policy has screened its CAPTCHA.
  if (!resend) {
    const waiting = await getWaitingCode((await cookies()).get(PENDING_COOKIE_NAME)?.value);
    const parsed = waiting ? sendRequestSchemaFor(locale).safeParse(input) : undefined;
    if (waiting && parsed?.success && parsed.data.e164 === waiting.phone) {
      return codeStep(base, waiting, {
        tone: "info",
        key: "codeStillValid",
        values: { phone: formatPhone(waiting.phone) },
      });
    }
  }

  const result = await runPublicAction(SEND_ROUTE, async (request, context) => {
    return requestCode(request, context, () => parseBody(input, sendRequestShapeFor(context.locale)));
  });
  if (!result.ok) {
    const notice = refusalNotice(result.refusal);
    const again = result.refusal.rule === "captcha.outdated" ? { solveAgain: true as const } : {};
    if (!resend) return { ...base, ...again, step: "phone", notice };
    const pending = await currentPending();
    return pending
      ? { ...codeStep(base, pending, notice), ...again }
      : { ...base, ...again, step: "phone", notice };
  }
  const { sent, cookie, e164 } = result.value;
  (await cookies()).set(cookie.name, cookie.value, cookie.options);
  return codeStep(
    base,
    { phone: e164, expiresAt: sent.expiresAt, resendAfter: sent.resendAfter },
    resend ? { tone: "success", key: "resent", values: { phone: formatPhone(e164) } } : undefined,
  );
}

async function verify(base: Base, code: string): Promise<SignInState> {
  const result = await runPublicAction(VERIFY_ROUTE, (request, context) => {
    // A malformed code is refused here and never spends an attempt.
    const input = parseBody({ code }, verifyRequestSchemaFor(getEnv().otp.codeLength, context.locale));
    return completeSignIn(request, context, input.code);
  });
  const jar = await cookies();
  if (result.ok) {
    const { isNewUser, cookies: changes } = result.value;
    for (const name of changes.delete) jar.delete(name);
    for (const cookie of changes.set) jar.set(cookie.name, cookie.value, cookie.options);
    // The welcome (components/welcome-notice.tsx) shows once, on the page the person returns to.
    redirect(isNewUser ? withParam(base.next, "joined", "1") : base.next);
  }

  const { refusal } = result;
  const pending = await currentPending();
  const fallback = { phone: "", expiresAt: new Date().toISOString(), resendAfter: new Date().toISOString() };
  switch (refusal.rule) {
    case "code.wrong_or_expired":
      // The page tells "wrong" from "expired" by the expiry it was given (the server answers both alike).
      return codeStep(base, pending ?? fallback, { tone: "error", key: "wrongCode", field: "code" });
    case "validation.code":
      return codeStep(base, pending ?? fallback, { tone: "error", text: refusal.message, field: "code" });
    case "code.attempts_exhausted":
    case "code.superseded":
    case "code.no_pending_verification": {
      // This browser's code can no longer work: forget it, and offer a resend as soon as one is accepted.
      jar.delete(PENDING_COOKIE_NAME);
      const resendAfter = new Date(Date.now() + (refusal.retryAfterSeconds ?? 0) * 1000).toISOString();
      const notice: SignInNotice =
        refusal.rule === "code.superseded"
          ? { tone: "error", text: refusal.message }
          : { tone: "error", key: refusal.rule === "code.attempts_exhausted" ? "attemptsSpent" : "ended" };
      return { ...codeStep(base, { ...(pending ?? fallback), resendAfter }, notice), ended: true };
    }
    default:
      return codeStep(base, pending ?? fallback, refusalNotice(refusal));
  }
}

async function currentPending() {
  return getPendingVerification((await cookies()).get(PENDING_COOKIE_NAME)?.value);
}

function codeStep(
  base: Base,
  pending: { phone: string; expiresAt: string; resendAfter: string },
  notice?: SignInNotice,
): CodeStep {
  return {
    ...base,
    step: "code",
    display: pending.phone ? formatPhone(pending.phone) : base.phone,
    expiresAt: pending.expiresAt,
    resendAfter: pending.resendAfter,
    ...(notice ? { notice } : {}),
  };
}

/** A refusal as the form shows it: under its field when it has one, counting down when it says when. */
function refusalNotice(refusal: ActionRefusal): SignInNotice {
  const field = (["phone", "country", "code"] as const).find((name) => refusal.fields?.[name]);
  return {
    tone: "error",
    text: field ? refusal.fields![field]! : refusal.message,
    ...(field ? { field } : {}),
    ...(refusal.retryAfterSeconds
      ? { retryAt: new Date(Date.now() + Math.ceil(refusal.retryAfterSeconds) * 1000).toISOString() }
      : {}),
  };
}

function withParam(path: string, name: string, value: string): string {
  const url = new URL(path, "http://return-path.invalid");
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}${url.hash}`;
}
