"use client";

import { useCallback, useSyncExternalStore } from "react";

const PLAIN_KEY = "minos.config.plainEditor";
// Same-tab changes fire no "storage" event: the setter announces them itself.
const CHANGE_EVENT = "minos:plain-editor";
/** Below Tailwind's `md`: a phone, where Monaco's touch editing and its width do not work well. */
export const NARROW_QUERY = "(max-width: 767.98px)";

/**
 * Plain text or Monaco: what the person chose ("1" plain, "0" Monaco) wins; without a choice a
 * narrow screen gets the plain-text editor and a wide one Monaco.
 */
export function plainEditorChoice(stored: string | null, narrow: boolean): boolean {
  if (stored === "1") return true;
  if (stored === "0") return false;
  return narrow;
}

// One live MediaQueryList: the snapshot is read on every render (every keystroke in the editor).
let narrowList: MediaQueryList | undefined;
const narrowQuery = () => (narrowList ??= window.matchMedia(NARROW_QUERY));

function subscribe(onChange: () => void) {
  const narrow = narrowQuery();
  window.addEventListener("storage", onChange);
  window.addEventListener(CHANGE_EVENT, onChange);
  narrow.addEventListener("change", onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(CHANGE_EVENT, onChange);
    narrow.removeEventListener("change", onChange);
  };
}

/** The operator's choice of the plain-text editor, remembered across visits; plain by default on a phone. */
export function usePlainEditor(): [boolean, (plain: boolean) => void] {
  const plain = useSyncExternalStore(
    subscribe,
    () => plainEditorChoice(window.localStorage.getItem(PLAIN_KEY), narrowQuery().matches),
    () => false,
  );
  const set = useCallback((value: boolean) => {
    window.localStorage.setItem(PLAIN_KEY, value ? "1" : "0");
    window.dispatchEvent(new Event(CHANGE_EVENT));
  }, []);
  return [plain, set];
}
