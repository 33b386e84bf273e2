"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import type { ReactNode, RefObject } from "react";

/** Which rows of a fixed-height table to render, and the space that stands in for the others. */
export interface RowWindow {
  start: number;
  end: number;
  paddingTop: number;
  paddingBottom: number;
}

// Lets the server render (and the browser hydrate) the first screenful before any measuring.
const INITIAL_RECT = { width: 1200, height: 720 };

/**
 * The rows of a long table that are in view of `scrollRef` (plus a few). A module of its own so
 * that the virtualizer is downloaded only by a page that shows a long table.
 */
export default function VirtualRows({
  count,
  rowHeight,
  scrollRef,
  getKey,
  children,
}: {
  count: number;
  rowHeight: number;
  scrollRef: RefObject<HTMLElement | null>;
  getKey: (index: number) => string;
  children: (window: RowWindow) => ReactNode;
}) {
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render on purpose.
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    initialRect: INITIAL_RECT,
    getItemKey: getKey,
  });
  const items = virtualizer.getVirtualItems();
  if (items.length === 0) return children({ start: 0, end: 0, paddingTop: 0, paddingBottom: 0 });
  const first = items[0]!;
  const last = items[items.length - 1]!;
  return children({ start: first.index, end: last.index + 1, paddingTop: first.start, paddingBottom: virtualizer.getTotalSize() - last.end });
}
