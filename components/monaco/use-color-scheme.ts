"use client";

import { useSyncExternalStore } from "react";

const query = "(prefers-color-scheme: dark)";

// One live MediaQueryList: matchMedia() costs far more than reading `.matches`, and the snapshot
// is read on every render (every keystroke in the editor).
let media: MediaQueryList | undefined;
const darkQuery = () => (media ??= window.matchMedia(query));

function subscribe(onChange: () => void) {
  const list = darkQuery();
  list.addEventListener("change", onChange);
  return () => list.removeEventListener("change", onChange);
}

/** The OS colour scheme, live; "light" on the server. */
export function useColorScheme(): "light" | "dark" {
  return useSyncExternalStore(
    subscribe,
    () => (darkQuery().matches ? "dark" : "light"),
    () => "light",
  );
}
