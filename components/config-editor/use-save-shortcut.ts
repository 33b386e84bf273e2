"use client";

import { useEffect, useRef } from "react";

/** Ctrl/Cmd+S runs `action` (and never opens the browser's "save page" dialog). */
export function useSaveShortcut(action: () => void): void {
  // One listener for the page's life; the latest action is read through the ref.
  const ref = useRef(action);
  useEffect(() => {
    ref.current = action;
  }, [action]);
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        ref.current();
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
