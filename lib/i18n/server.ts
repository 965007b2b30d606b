import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { format, messagesFor, pickLocale, type Locale, type Messages } from "./index";

/**
 * The language of the request being rendered, from its `Accept-Language`, once per request.
 * For server components and server actions:
 *
 * ```tsx
 * const { messages, t } = await getMessages();
 * <h1>{messages.signIn.heading}</h1>
 * <p>{t("signIn", "resendIn", { seconds: 30 })}</p>
 * ```
 */
export const getMessages = cache(async (): Promise<{ locale: Locale; messages: Messages; t: Translate }> => {
  const locale = pickLocale((await headers()).get("accept-language"));
  const messages = messagesFor(locale);
  const t: Translate = (section, key, values) =>
    format((messages[section] as Record<string, string>)[key as string]!, values);
  return { locale, messages, t };
});

export type Translate = <Section extends keyof Messages>(
  section: Section,
  key: keyof Messages[Section],
  values?: Record<string, string | number>,
) => string;
