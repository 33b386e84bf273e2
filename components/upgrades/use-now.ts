"use client";

import { useEffect, useState } from "react";

/**
 * The current time, ticking every `ms` while `live`; null until mounted, so the server's HTML and
 * the first client render agree on elapsed times.
 */
export function useNow(live: boolean, ms = 1000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    // Set once on mount even when not live, so finished plans still show their durations.
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    if (!live) return () => clearTimeout(first);
    const timer = setInterval(tick, ms);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [live, ms]);
  return now;
}
