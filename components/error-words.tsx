"use client";

import { createContext, useContext, type ReactNode } from "react";
import type { Messages } from "@/lib/i18n";

type ErrorWords = Messages["errorPage"];

const ErrorWordsContext = createContext<ErrorWords | null>(null);

/**
 * The error page's sentences in the visitor's language. app/error.tsx is a client component that
 * cannot ask the server for them when it shows, so the root layout hands them down in advance.
 */
export function ErrorWordsProvider({ words, children }: { words: ErrorWords; children: ReactNode }) {
  return <ErrorWordsContext value={words}>{children}</ErrorWordsContext>;
}

/** For app/error.tsx, which renders only below the root layout (the layout's own failures go to Next's global error page). */
export function useErrorWords(): ErrorWords {
  const words = useContext(ErrorWordsContext);
  if (!words) throw new Error("useErrorWords needs the root layout's ErrorWordsProvider above it.");
  return words;
}
