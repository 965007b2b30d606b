"use client";

import { browserSupportsWebAuthn } from "@simplewebauthn/browser";
import { useSyncExternalStore } from "react";

const never = () => () => {};

/** Whether this browser can use passkeys; false while rendering on the server. */
export function useBrowserSupportsPasskeys(): boolean {
  return useSyncExternalStore(never, browserSupportsWebAuthn, () => false);
}

const onHashChange = (callback: () => void) => {
  window.addEventListener("hashchange", callback);
  return () => window.removeEventListener("hashchange", callback);
};

/** The URL's fragment (without `#`); null while rendering on the server, which never sees it. */
export function useUrlFragment(): string | null {
  return useSyncExternalStore(
    onHashChange,
    () => window.location.hash.slice(1),
    () => null,
  );
}
