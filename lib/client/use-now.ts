"use client";

import { useSyncExternalStore } from "react";

/**
 * A clock shared by everyone reading the current time at the same period: one interval for a
 * whole page of "12 s ago" cells instead of one per row, and none while nobody listens.
 */
export interface Ticker {
  /** The time of the last tick; a fresh reading when the ticker is idle and its value is older than a period. */
  read(): number;
  /** Ticks `listener` every period; the interval runs only while someone listens. */
  subscribe(listener: () => void): () => void;
}

export function createTicker(periodMs: number): Ticker {
  let now = Date.now();
  let timer: ReturnType<typeof setInterval> | null = null;
  const listeners = new Set<() => void>();
  return {
    read() {
      // An idle ticker is not updated, so a component mounting long after the last listener left
      // must not show that old time. Refreshing only past one period keeps two reads in one render equal.
      if (timer === null && Date.now() - now >= periodMs) now = Date.now();
      return now;
    },
    subscribe(listener) {
      listeners.add(listener);
      if (timer === null) {
        now = Date.now();
        timer = setInterval(() => {
          now = Date.now();
          for (const l of listeners) l();
        }, periodMs);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== null) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
  };
}

const tickers = new Map<number, Ticker>();
function tickerFor(periodMs: number): Ticker {
  let t = tickers.get(periodMs);
  if (!t) tickers.set(periodMs, (t = createTicker(periodMs)));
  return t;
}

const subscribeNever = () => () => {};
const serverNow = () => null;

/**
 * The current time for relative times, elapsed times and countdowns, refreshed `every` ms while
 * `live` (when not live: read once at mount, so finished things still show their durations).
 * null during the server render and hydration, so "12 s ago" never differs between the server's
 * HTML and the browser's first render.
 */
export function useNow({ every = 5_000, live = true }: { every?: number; live?: boolean } = {}): number | null {
  const ticker = tickerFor(every);
  return useSyncExternalStore(live ? ticker.subscribe : subscribeNever, ticker.read, serverNow);
}
