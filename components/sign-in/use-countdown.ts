"use client";

import { useEffect, useState } from "react";

/** Whole seconds left until `until` (0 when past), updated every second. */
export function useCountdown(until: string | null): number {
  const compute = () => (until ? Math.max(0, Math.ceil((new Date(until).getTime() - Date.now()) / 1000)) : 0);
  const [secondsLeft, setSecondsLeft] = useState(compute);

  useEffect(() => {
    const tick = () =>
      setSecondsLeft(until ? Math.max(0, Math.ceil((new Date(until).getTime() - Date.now()) / 1000)) : 0);
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [until]);

  return secondsLeft;
}
