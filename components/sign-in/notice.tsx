"use client";

import { format, formatWait, type Messages } from "@/lib/i18n";
import type { SignInNotice } from "@/lib/sign-in/flow-state";
import { useCountdown } from "./use-countdown";

/** The sign-in page's sentences (lib/i18n/messages), handed down by the page. */
export type SignInWords = Messages["signIn"];

/**
 * The message of the last answer, announced when it appears (role=alert or status). A refusal that
 * says when to try again counts down to it, in a timer that screen readers do not repeat each second.
 */
export function Notice({
  notice,
  words,
  skewMs,
  expired,
}: {
  notice: SignInNotice;
  words: SignInWords;
  /** How far the server's clock is ahead of the browser's (see useCountdown). */
  skewMs: number;
  expired?: boolean;
}) {
  const retryIn = useCountdown(notice.retryAt ?? null, skewMs);
  const tones = {
    error: "bg-red-50 text-red-800 ring-red-200",
    info: "bg-sky-50 text-sky-900 ring-sky-200",
    success: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  };
  return (
    <div className={`rounded-md p-3 text-sm ring-1 ${tones[notice.tone]}`}>
      <p role={notice.tone === "error" ? "alert" : "status"}>{noticeText(notice, words, expired)}</p>
      {notice.retryAt && retryIn > 0 ? (
        <p role="timer" className="mt-1" suppressHydrationWarning>
          {format(words.tryAgainIn, { time: formatWait(retryIn) })}
        </p>
      ) : null}
    </div>
  );
}

export function noticeText(notice: SignInNotice, words: SignInWords, expired?: boolean): string {
  if (notice.key === "wrongCode" && expired) return words.expiredCode;
  return notice.key ? format(words[notice.key], notice.values) : (notice.text ?? "");
}
