import { describe, expect, it } from "vitest";
import { catalogues, format, formatWait, pickLocale } from "@/lib/i18n";
import { refusals } from "@/lib/http/refusals";

/** Every `section.key` of a catalogue, with its text. */
function entries(catalogue: object): [string, string][] {
  return Object.entries(catalogue).flatMap(([section, keys]) =>
    Object.entries(keys as Record<string, string>).map(
      ([key, text]) => [`${section}.${key}`, text] as [string, string],
    ),
  );
}

describe("message catalogues", () => {
  const english = entries(catalogues.en);

  it.each(Object.keys(catalogues))("%s has exactly the English keys, none of them empty", (locale) => {
    const catalogue = entries(catalogues[locale as keyof typeof catalogues]);
    expect(catalogue.map(([key]) => key).sort()).toEqual(english.map(([key]) => key).sort());
    expect(catalogue.filter(([, text]) => text.trim() === "").map(([key]) => key)).toEqual([]);
  });

  it.each(Object.keys(catalogues))("%s keeps every placeholder of the English text", (locale) => {
    const catalogue = Object.fromEntries(entries(catalogues[locale as keyof typeof catalogues]));
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    const differing = english.filter(
      ([key, text]) => `${placeholders(text)}` !== `${placeholders(catalogue[key]!)}`,
    );
    expect(differing.map(([key]) => key)).toEqual([]);
  });

  it("translates Bahasa Indonesia rather than copying English", () => {
    const indonesian = Object.fromEntries(entries(catalogues.id));
    // Names (the product's own) stay as they are.
    const copied = english.filter(
      ([key, text]) => indonesian[key] === text && /\s/.test(text) && key !== "site.name",
    );
    expect(copied.map(([key]) => key)).toEqual([]);
  });

  it("has a sentence for every refusal", () => {
    const missing = Object.entries(refusals).filter(([, entry]) => !catalogues.en.refusals[entry.message]);
    expect(missing).toEqual([]);
  });
});

describe("pickLocale", () => {
  it("picks the highest-weighted language we speak, by its primary subtag", () => {
    expect(pickLocale("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7")).toBe("id");
    expect(pickLocale("fr-FR, id;q=0.5, en;q=0.4")).toBe("id");
    expect(pickLocale("en;q=0.2, id;q=0.9")).toBe("id");
    expect(pickLocale("en-GB")).toBe("en");
  });

  it("falls back to English for nothing we speak, a refused language, or no header", () => {
    expect(pickLocale("fr, de;q=0.8")).toBe("en");
    expect(pickLocale("id;q=0, fr")).toBe("en");
    expect(pickLocale(null)).toBe("en");
    expect(pickLocale("")).toBe("en");
    expect(pickLocale("*")).toBe("en");
  });
});

describe("format", () => {
  it("fills named placeholders and leaves unknown ones visible", () => {
    expect(format("Resend code in {seconds} s", { seconds: 30 })).toBe("Resend code in 30 s");
    expect(format("Hello {name}", {})).toBe("Hello {name}");
  });

  it("writes waits as minutes and seconds", () => {
    expect(formatWait(119)).toBe("1:59");
    expect(formatWait(5.2)).toBe("0:06");
    expect(formatWait(-3)).toBe("0:00");
  });
});
