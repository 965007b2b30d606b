"use client";

import type {} from "altcha/types/react";
import Script from "next/script";
import { useEffect, useImperativeHandle, useRef, type Ref } from "react";

export type CaptchaConfig = { provider: "altcha" | "turnstile" | "hcaptcha"; siteKey?: string };

/** What a form needs from its CAPTCHA: a fresh token at submit time, and a reset afterwards. */
export type CaptchaHandle = {
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
  const payload = useRef<string | null>(null);

  useEffect(() => {
    void import("altcha");
    const element = widget.current;
    const onState = (event: Event) => {
      const detail = (event as CustomEvent<{ state: string; payload?: string }>).detail;
      payload.current = detail.state === "verified" ? (detail.payload ?? null) : null;
    };
    element?.addEventListener("statechange", onState);
    return () => element?.removeEventListener("statechange", onState);
  }, []);

  useImperativeHandle(handle, () => ({
    async getToken() {
      if (payload.current) return payload.current;
      await customElements.whenDefined("altcha-widget");
      const element = widget.current;
      if (!element) return null;
      // Already solving (it starts when the form gets focus): wait for that run, not a second one.
      if (element.getState() === "verifying") return waitForOutcome(element);
      const result = await element.verify().catch(() => null);
      return result?.payload ?? payload.current;
    },
    reset() {
      payload.current = null;
      widget.current?.reset();
    },
  }));

  return (
    <altcha-widget
      ref={widget}
      challenge="/api/captcha/challenge"
      auto="onfocus"
      name="captcha"
      configuration={JSON.stringify({ hideFooter: true })}
      suppressHydrationWarning
    />
  );
}

const SOLVE_TIMEOUT_MS = 60_000;

/** The payload of the verification under way, or null if it fails or takes too long. */
function waitForOutcome(element: HTMLElement): Promise<string | null> {
  return new Promise((resolve) => {
    const done = (value: string | null) => {
      clearTimeout(timer);
      element.removeEventListener("statechange", onState);
      resolve(value);
    };
    const onState = (event: Event) => {
      const { state, payload } = (event as CustomEvent<{ state: string; payload?: string }>).detail;
      if (state === "verified") done(payload ?? null);
      else if (state !== "verifying") done(null);
    };
    const timer = setTimeout(() => done(null), SOLVE_TIMEOUT_MS);
    element.addEventListener("statechange", onState);
  });
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
