"use client";

import { useCallback, useSyncExternalStore } from "react";

const PLAIN_KEY = "minos.config.plainEditor";
// Same-tab changes fire no "storage" event: the setter announces them itself.
const CHANGE_EVENT = "minos:plain-editor";

function subscribe(onChange: () => void) {
  window.addEventListener("storage", onChange);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}

/** The operator's choice of the plain-text editor, remembered across visits. */
export function usePlainEditor(): [boolean, (plain: boolean) => void] {
  const plain = useSyncExternalStore(
    subscribe,
    () => window.localStorage.getItem(PLAIN_KEY) === "1",
    () => false,
  );
  const set = useCallback((value: boolean) => {
    window.localStorage.setItem(PLAIN_KEY, value ? "1" : "0");
    window.dispatchEvent(new Event(CHANGE_EVENT));
  }, []);
  return [plain, set];
}
