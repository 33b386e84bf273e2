"use client";

import { useSyncExternalStore } from "react";

/**
 * A value that changes at typing speed (the editor's text, its cursor), held outside React state:
 * the page that owns it does not re-render on each change; what shows it subscribes.
 */
export class LiveValue<T> {
  private readonly listeners = new Set<() => void>();

  constructor(private value: T) {}

  readonly get = (): T => this.value;

  set(value: T): void {
    if (Object.is(value, this.value)) return;
    this.value = value;
    for (const listener of this.listeners) listener();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

const NEVER = () => () => {};

/**
 * The value as of this render, without re-rendering when it changes: for a page that must see
 * the newest value whenever it renders for its own reasons, but must not render for each change.
 */
export function useLiveValueAtRender<T>(live: LiveValue<T>): T {
  return useSyncExternalStore(NEVER, live.get, live.get);
}
