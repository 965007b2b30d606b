"use client";

import type {} from "altcha/types/react";
import Script from "next/script";
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from "react";

export type CaptchaConfig = {
  provider: "altcha" | "turnstile" | "hcaptcha";
  siteKey?: string;
  /** ALTCHA: how long a solution is accepted; an older one is solved again before it is sent. */
  solutionLifetimeSeconds?: number;
};

/** What a form needs from its CAPTCHA: a fresh token at submit time, and a reset afterwards. */
export type CaptchaHandle = {
  /** Solves (or waits for) the challenge; null when the visitor could not be verified. */
  getToken(): Promise<string | null>;
  /** Forgets the current token (every token is single-use) and, if active, starts on the next. */
  reset(): void;
};

/** Solving for longer than this shows the progress line: most browsers never see it. */
const SLOW_SOLVE_MS = 1500;
/** A solution this close to its expiry is solved again rather than sent to be refused. */
const EXPIRY_MARGIN_MS = 60_000;

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
 * The configured CAPTCHA. ALTCHA (the default) is a self-hosted proof of work with nothing to
 * click: while `active`, it fetches a challenge from /api/captcha/challenge and solves it in Web
 * Workers in the background, from the moment the page opens; a line says so only when that takes
 * long (`progressText`: attack mode can take seconds on a cheap phone). Turnstile and hCaptcha
 * load their provider's script and show its widget.
 */
export function CaptchaWidget({
  config,
  handle,
  active,
  progressText,
}: {
  config: CaptchaConfig;
  handle: Ref<CaptchaHandle>;
  /** Whether a token may be wanted soon (solving costs the visitor's CPU). */
  active: boolean;
  progressText: string;
}) {
  if (config.provider === "altcha") {
    return <AltchaWidget handle={handle} active={active} config={config} progressText={progressText} />;
  }
  return <RemoteWidget config={config} handle={handle} />;
}

function AltchaWidget({
  handle,
  active,
  config,
  progressText,
}: {
  handle: Ref<CaptchaHandle>;
  active: boolean;
  config: CaptchaConfig;
  progressText: string;
}) {
  const widget = useRef<HTMLElementTagNameMap["altcha-widget"] | null>(null);
  // The one verification under way or done; the widget is driven from here only (auto="off"),
  // so two runs can never abort each other.
  const solving = useRef<{ token: Promise<string | null>; startedAt: number } | null>(null);
  const [slow, setSlow] = useState(false);
  const lifetimeMs = (config.solutionLifetimeSeconds ?? 600) * 1000 - EXPIRY_MARGIN_MS;

  const solve = () => {
    const current = solving.current;
    if (current && Date.now() - current.startedAt < lifetimeMs) return current.token;
    const startedAt = Date.now();
    const slowTimer = setTimeout(() => setSlow(true), SLOW_SOLVE_MS);
    const token = (async () => {
      const element = await upgradedWidget(widget);
      const result = await element?.verify().catch(() => null);
      return result?.payload ?? null;
    })().finally(() => {
      clearTimeout(slowTimer);
      setSlow(false);
    });
    solving.current = { token, startedAt };
    return token;
  };

  useEffect(() => {
    void import("altcha");
  }, []);
  useEffect(() => {
    if (active) void solve();
  });

  useImperativeHandle(handle, () => ({
    async getToken() {
      const token = await solve();
      if (!token) solving.current = null; // let the next submit try again
      return token;
    },
    reset() {
      solving.current = null;
      widget.current?.reset();
      if (active) void solve();
    },
  }));

  return (
    <>
      {/* The widget does the work; its checkbox would only ask people to wait for it. */}
      <div hidden>
        <altcha-widget
          ref={widget}
          challenge="/api/captcha/challenge"
          auto="off"
          configuration={JSON.stringify({ hideFooter: true })}
          suppressHydrationWarning
        />
      </div>
      {slow ? (
        <p role="status" className="text-sm text-slate-600">
          {progressText}
        </p>
      ) : null}
    </>
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
