"use client";

import { useEffect, useState } from "react";

function secondsUntil(until: string | null): number {
  return until ? Math.max(0, Math.ceil((new Date(until).getTime() - Date.now()) / 1000)) : 0;
}

/** Whole seconds left until `until` (0 when past), updated every second. */
export function useCountdown(until: string | null): number {
  const [secondsLeft, setSecondsLeft] = useState(() => secondsUntil(until));

  useEffect(() => {
    const tick = () => setSecondsLeft(secondsUntil(until));
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [until]);

  return secondsLeft;
}
