"use client";

import { useEffect, useState } from "react";

function secondsUntil(until: string | null, skewMs: number): number {
  return until ? Math.max(0, Math.ceil((new Date(until).getTime() - (Date.now() + skewMs)) / 1000)) : 0;
}

/**
 * Whole seconds left until `until` (0 when past), updated every second. `until` is a time on the
 * server's clock, and `skewMs` how far the server's clock is ahead of this browser's
 * ({@link useServerClockSkew}), so the count is right on a browser whose clock is minutes off.
 */
export function useCountdown(until: string | null, skewMs: number): number {
  const [secondsLeft, setSecondsLeft] = useState(() => secondsUntil(until, skewMs));

  useEffect(() => {
    const tick = () => setSecondsLeft(secondsUntil(until, skewMs));
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [until, skewMs]);

  return secondsLeft;
}

/**
 * How far the server's clock (`serverTime`, when it rendered the page) is ahead of this browser's,
 * found once when the page loads: a device's clock error stays put while a page is open, and the
 * network's delay makes the estimate a moment short at most. 0 while rendering on the server.
 */
export function useServerClockSkew(serverTime: number): number {
  const [skewMs] = useState(() => (typeof window === "undefined" ? 0 : serverTime - Date.now()));
  return skewMs;
}
