"use client";

import type {} from "altcha/types/react";
import Script from "next/script";
import { useEffect, useImperativeHandle, useRef, type Ref } from "react";

export type CaptchaConfig = { provider: "altcha" | "turnstile" | "hcaptcha"; siteKey?: string };

/** What a form needs from its CAPTCHA: a fresh token at submit time, and a reset afterwards. */
export type CaptchaHandle = {
  /** Starts solving ahead of the submit (the visitor is typing), if the widget does work. */
  prepare(): void;
  /** Solves (or waits for) the challenge; null when the visitor could not be verified. */
  getToken(): Promise<string | null>;
  /** Forgets the current token: every token is single-use. */
  reset(): void;
};

type RemoteApi = {
  render(element: HTMLElement, options: Record<string, unknown>): string;
  reset(id?: string): void;
  getResponse(id?: string): string | undefined;
};
declare global {
  interface Window {
    turnstile?: RemoteApi;
    hcaptcha?: RemoteApi;
  }
}

/**
 * The configured CAPTCHA widget. ALTCHA (the default) is a self-hosted proof of work: it fetches
 * a challenge from /api/captcha/challenge and solves it in Web Workers while the visitor types.
 * Turnstile and hCaptcha load their provider's script.
 */
export function CaptchaWidget({ config, handle }: { config: CaptchaConfig; handle: Ref<CaptchaHandle> }) {
  if (config.provider === "altcha") return <AltchaWidget handle={handle} />;
  return <RemoteWidget config={config} handle={handle} />;
}

function AltchaWidget({ handle }: { handle: Ref<CaptchaHandle> }) {
  const widget = useRef<HTMLElementTagNameMap["altcha-widget"] | null>(null);
  // The one verification under way or done; the widget is driven from here only (auto="off"),
  // so two runs can never abort each other.
  const solving = useRef<Promise<string | null> | null>(null);

  useEffect(() => {
    void import("altcha");
  }, []);

  const solve = () => {
    solving.current ??= (async () => {
      const element = await upgradedWidget(widget);
      const result = await element?.verify().catch(() => null);
      return result?.payload ?? null;
    })();
    return solving.current;
  };

  useImperativeHandle(handle, () => ({
    prepare() {
      void solve();
    },
    async getToken() {
      const token = await solve();
      if (!token) solving.current = null; // let the next submit try again
      return token;
    },
    reset() {
      solving.current = null;
      widget.current?.reset();
    },
  }));

  return (
    <altcha-widget
      ref={widget}
      challenge="/api/captcha/challenge"
      auto="off"
      name="captcha"
      configuration={JSON.stringify({ hideFooter: true })}
      suppressHydrationWarning
    />
  );
}

/**
 * The widget once its methods exist: the element is defined when the `altcha` module loads, but
 * it mounts its internals a moment later. Null if that takes more than a few seconds.
 */
async function upgradedWidget(ref: {
  current: HTMLElementTagNameMap["altcha-widget"] | null;
}): Promise<HTMLElementTagNameMap["altcha-widget"] | null> {
  await customElements.whenDefined("altcha-widget");
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (typeof ref.current?.verify === "function") return ref.current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

function RemoteWidget({ config, handle }: { config: CaptchaConfig; handle: Ref<CaptchaHandle> }) {
  const container = useRef<HTMLDivElement | null>(null);
  const widgetId = useRef<string | undefined>(undefined);
  const api = () => (config.provider === "turnstile" ? window.turnstile : window.hcaptcha);
  const render = () => {
    const provider = api();
    if (!provider || !container.current || widgetId.current !== undefined) return;
    widgetId.current = provider.render(container.current, {
      sitekey: config.siteKey,
      ...(config.provider === "turnstile" ? { action: "send_code" } : {}),
    });
  };

  useEffect(render);

  useImperativeHandle(handle, () => ({
    prepare() {},
    async getToken() {
      return api()?.getResponse(widgetId.current) || null;
    },
    reset() {
      api()?.reset(widgetId.current);
    },
  }));

  const src =
    config.provider === "turnstile"
      ? "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit"
      : "https://js.hcaptcha.com/1/api.js?render=explicit";
  return (
    <>
      <Script src={src} strategy="afterInteractive" onLoad={render} />
      <div ref={container} />
    </>
  );
}
