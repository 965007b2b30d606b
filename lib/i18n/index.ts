import { en, type Messages } from "./messages/en";
import { id } from "./messages/id";

/**
 * The languages the app speaks, one message catalogue each (./messages/). Isomorphic: server
 * components pick a catalogue with `getMessages()` (./server.ts) and hand client components the
 * strings they show, so no catalogue and no i18n library ships to the browser.
 */
export const catalogues = { en, id } satisfies Record<string, Messages>;
export type Locale = keyof typeof catalogues;
export const defaultLocale: Locale = "en";
export type { Messages, RefusalMessageKey } from "./messages/en";

export function isLocale(value: string): value is Locale {
  return Object.hasOwn(catalogues, value);
}

/**
 * The best supported language for an `Accept-Language` header (RFC 9110 §12.5.4): the
 * highest-weighted range whose primary subtag we speak (`id-ID` → `id`), else English.
 * Hand-written because two languages matched by primary subtag are a dozen lines, where a
 * negotiation library would be a dependency for the same result.
 */
export function pickLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return defaultLocale;
  const ranges = acceptLanguage
    .slice(0, 500)
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find(Boolean);
      return { language: tag.trim().toLowerCase().split("-")[0]!, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((range) => range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranges.map((range) => range.language).find(isLocale) ?? defaultLocale;
}

export function messagesFor(locale: Locale): Messages {
  return catalogues[locale];
}

/** A region's name in `locale` ("Singapore", "Singapura"); the code itself when Intl has none. */
export function countryName(code: string, locale: Locale = defaultLocale): string {
  try {
    return new Intl.DisplayNames([locale], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Fills `{name}` placeholders: `format("Resend in {seconds} s", { seconds: 30 })`. */
export function format(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : match,
  );
}

/** A wait for people, minutes and seconds (`1:59`): the same in every language we speak. */
export function formatWait(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}
