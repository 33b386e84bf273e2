"use client";

import { useEffect, useState } from "react";

/**
 * True once `flag` has stayed true for `delayMs`. A check that answers within the delay never
 * shows its spinner: typing would otherwise start and cancel an animation on every key.
 */
export function useShownAfter(flag: boolean, delayMs: number): boolean {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!flag) return;
    const timer = setTimeout(() => setShown(true), delayMs);
    return () => {
      clearTimeout(timer);
      setShown(false);
    };
  }, [flag, delayMs]);
  return flag && shown;
}
