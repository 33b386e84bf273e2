"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type ReactNode } from "react";

import { findMatches, type LineBuffer } from "@/lib/client/logs";
import { cn } from "@/lib/utils/cn";

/** A row's height without wrapping (text-xs, leading-5). */
const ROW_HEIGHT = 20;

export interface LogLinesProps {
  label: string;
  buffer: LineBuffer;
  /** How many of the buffer's lines to show (fewer than it holds while paused). */
  count: number;
  /** Changes whenever lines arrive: the list re-reads the buffer. */
  version: number;
  search: string;
  wrap: boolean;
  /** Keep the newest line in view. */
  stickToBottom: boolean;
  /** A line to bring into view (a search hit), with a nonce so the same line can be asked twice. */
  reveal: { index: number; nonce: number } | null;
  onUserScrollUp(): void;
}

function highlight(line: string, search: string): ReactNode {
  const ranges = findMatches(line, search);
  if (ranges.length === 0) return line;
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [s, e] of ranges) {
    if (s > at) parts.push(line.slice(at, s));
    parts.push(
      <mark key={s} className="rounded-sm bg-warn/30 text-fg">
        {line.slice(s, e)}
      </mark>,
    );
    at = e;
  }
  if (at < line.length) parts.push(line.slice(at));
  return parts;
}

/**
 * The lines of one log, virtualised: only the rows in view are in the DOM, so 100,000 lines
 * scroll as smoothly as 100. Without wrapping rows have a fixed height; with it each rendered
 * row is measured.
 */
export function LogLines({ label, buffer, count, version, search, wrap, stickToBottom, reveal, onUserScrollUp }: LogLinesProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render on purpose.
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    initialRect: { width: 800, height: 600 },
  });

  useEffect(() => {
    if (stickToBottom && count > 0) virtualizer.scrollToIndex(count - 1, { align: "end" });
  }, [stickToBottom, count, version, virtualizer]);

  useEffect(() => {
    if (reveal && reveal.index < count) virtualizer.scrollToIndex(reveal.index, { align: "center" });
  }, [reveal, count, virtualizer]);

  useEffect(() => {
    // Row heights change meaning with wrapping: measure again.
    virtualizer.measure();
  }, [wrap, virtualizer]);

  const items = virtualizer.getVirtualItems();
  return (
    <div
      ref={scrollRef}
      role="log"
      aria-label={label}
      aria-live="off"
      tabIndex={0}
      data-testid="log-lines"
      onWheel={(e) => {
        if (e.deltaY < 0) onUserScrollUp();
      }}
      className="h-full min-h-0 overflow-auto bg-surface font-mono text-xs leading-5"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: "relative", minWidth: "100%", width: wrap ? "100%" : "max-content" }}>
        {items.map((item) => {
          const line = buffer.at(item.index);
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={wrap ? virtualizer.measureElement : undefined}
              data-testid="log-line"
              className={cn("absolute left-0 w-full px-3", wrap ? "break-all whitespace-pre-wrap" : "whitespace-pre")}
              style={{ transform: `translateY(${item.start}px)`, height: wrap ? undefined : ROW_HEIGHT }}
            >
              {search ? highlight(line, search) : line}
            </div>
          );
        })}
      </div>
    </div>
  );
}
