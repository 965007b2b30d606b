import type { Messages } from "@/lib/i18n";

/**
 * What the sign-in page shows, as its server action (app/sign-in/actions.ts) answers it and its
 * form (components/sign-in/sign-in-flow.tsx) renders it, with JavaScript or without.
 */

/** A message above a form, or under one of its fields. */
export type SignInNotice = {
  tone: "error" | "info" | "success";
  /** A sentence of the page's own catalogue section, filled in with `values`… */
  key?: keyof Messages["signIn"];
  values?: Record<string, string | number>;
  /** …or the server's refusal, already in the page's language. */
  text?: string;
  field?: "phone" | "country" | "code";
  /** The refused request can be made again from this time (ISO 8601): the message counts down. */
  retryAt?: string;
};

type Common = {
  /** The number as typed, and its country: kept for "use a different number" and for resends. */
  phone: string;
  country: string;
  /** Where the person goes once signed in (lib/sign-in/return-path.ts). */
  next: string;
  notice?: SignInNotice;
  /** Counts the server's answers, so the form can react to each (focus, a fresh CAPTCHA). */
  answer: number;
  /**
   * The send was refused only because its proof of work was bought before attack mode raised the
   * price (`captcha.outdated`): the form solves a dearer one and sends again once, unasked.
   */
  solveAgain?: true;
};

export type PhoneStep = Common & { step: "phone" };

export type CodeStep = Common & {
  step: "code";
  /** The number for people: `+65 8123 4567`. */
  display: string;
  /** ISO 8601: when the code stops working, and when a resend is accepted. */
  expiresAt: string;
  resendAfter: string;
  /** The code can no longer work (its attempts are spent, or a newer one replaced it): resend. */
  ended?: boolean;
};

export type SignInState = PhoneStep | CodeStep;

/**
 * The server's clock, for the sign-in page to hand its form (a server component renders once per
 * request): the times in every state are the server's, and the form counts down to them on the
 * browser's clock corrected by the difference it finds at load (components/sign-in/use-countdown.ts).
 */
export function serverClock(): number {
  return Date.now();
}
