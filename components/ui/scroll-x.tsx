"use client";

import { useEffect, useRef, useState, type ReactNode } from "react";

import { cn } from "@/lib/utils/cn";

/**
 * A horizontal scroll container for a table wider than a phone. While its content overflows it
 * joins the tab order (named after the table), so a keyboard can scroll it too; when everything
 * fits it is no tab stop.
 */
export function ScrollX({ label, className, children }: { label?: string; className?: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setOverflows(el.scrollWidth > el.clientWidth + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div
      ref={ref}
      className={cn("max-w-full overflow-x-auto focus-visible:outline-2 focus-visible:outline-accent", className)}
      {...(overflows ? { tabIndex: 0, role: "region", "aria-label": label ? `${label} (scrolls sideways)` : "Table (scrolls sideways)" } : {})}
    >
      {children}
    </div>
  );
}
