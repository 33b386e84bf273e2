"use client";

import { useEffect, useState, useSyncExternalStore } from "react";

import { ApiError } from "@/lib/client/api";
import { LineBuffer, logStreamPath, readLogStream } from "@/lib/client/logs";

export type LogStreamState = "connecting" | "live" | "ended" | "error";

interface Snapshot {
  /** Bumped (at most once per animation frame) when lines arrive; a render key. */
  version: number;
  state: LogStreamState;
  error: string | null;
}

/**
 * One pane's stream and its bounded buffer, outside React: lines arriving between two frames
 * are announced together, so at 2,000 lines/s React renders ~60 times a second, not 2,000.
 */
class LogStreamStore {
  readonly buffer = new LineBuffer();
  private snap: Snapshot = { version: 0, state: "connecting", error: null };
  private listeners = new Set<() => void>();
  private frame: number | null = null;

  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };

  snapshot = () => this.snap;

  private set(patch: Partial<Snapshot>): void {
    this.snap = { ...this.snap, ...patch, version: this.snap.version + 1 };
    for (const l of this.listeners) l();
  }

  /** Streams `path` until the returned function is called (which aborts the fetch, ending the node's stream). */
  open(path: string): () => void {
    const ac = new AbortController();
    this.buffer.clear();
    this.set({ state: "connecting", error: null });
    let live = false;
    readLogStream(
      path,
      (lines) => {
        this.buffer.append(lines);
        if (!live) {
          live = true;
          this.set({ state: "live" });
        }
        this.frame ??= requestAnimationFrame(() => {
          this.frame = null;
          this.set({});
        });
      },
      ac.signal,
    )
      .then(() => {
        if (!ac.signal.aborted) this.set({ state: "ended" });
      })
      .catch((e: unknown) => {
        if (!ac.signal.aborted) this.set({ state: "error", error: e instanceof ApiError || e instanceof Error ? e.message : String(e) });
      });
    return () => {
      ac.abort();
      if (this.frame !== null) cancelAnimationFrame(this.frame);
      this.frame = null;
    };
  }
}

export interface LogStream extends Snapshot {
  buffer: LineBuffer;
  restart(): void;
}

/** Streams one log into a bounded buffer; the fetch ends when the pane closes or its source changes. */
export function useLogStream(node: string, source: string, tail: number, follow: boolean): LogStream {
  const [store] = useState(() => new LogStreamStore());
  const [attempt, setAttempt] = useState(0);
  const snap = useSyncExternalStore(store.subscribe, store.snapshot, store.snapshot);

  useEffect(() => store.open(logStreamPath(node, source, { tail, follow })), [store, node, source, tail, follow, attempt]);

  return { ...snap, buffer: store.buffer, restart: () => setAttempt((a) => a + 1) };
}
