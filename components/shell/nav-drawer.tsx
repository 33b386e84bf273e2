"use client";

import { X } from "lucide-react";
import Link from "next/link";
import { useEffect, useRef, type KeyboardEvent, type ReactNode, type RefObject } from "react";

import { focusableIn, wrapTarget } from "@/components/shell/focus-trap";

/**
 * The menu drawer of MobileNav, on the native modal <dialog>: loaded the first time the menu is
 * opened, so pages on a wide screen never download it. Tab wraps inside, focus goes back to the
 * menu button on close, and a screen growing past `md` closes it.
 */
export default function NavDrawer({
  open,
  onClose,
  menuButton,
  logo,
  nav,
}: {
  open: boolean;
  onClose: () => void;
  menuButton: RefObject<HTMLButtonElement | null>;
  logo: ReactNode;
  nav: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const close = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // showModal focuses the first focusable element (the logo link); start on the close button instead.
      close.current?.focus();
    }
    if (!open && d.open) {
      d.close();
      menuButton.current?.focus();
    }
  }, [open, menuButton]);

  // Past `md` (a phone turned, a window widened) the drawer is display:none, but a modal dialog
  // left open would keep the page behind inert: close it as the wide layout takes over.
  useEffect(() => {
    const wide = window.matchMedia("(min-width: 768px)");
    const onChange = (e: MediaQueryListEvent) => {
      if (e.matches) onClose();
    };
    wide.addEventListener("change", onChange);
    return () => wide.removeEventListener("change", onChange);
  }, [onClose]);

  function onKeyDown(e: KeyboardEvent<HTMLDialogElement>) {
    if (e.key !== "Tab" || !dialog.current) return;
    const target = wrapTarget(focusableIn(dialog.current), document.activeElement, e.shiftKey);
    if (target) {
      e.preventDefault();
      target.focus();
    }
  }

  return (
    <dialog
      ref={dialog}
      id="main-navigation-drawer"
      aria-label="Navigation"
      onKeyDown={onKeyDown}
      onCancel={(e) => {
        // Escape: closed through the state, so focus goes back to the button.
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the dialog element itself.
        if (e.target === e.currentTarget) onClose();
      }}
      className="fixed inset-y-0 left-0 m-0 h-full max-h-none w-72 max-w-[85vw] border-r border-border bg-surface p-0 text-fg shadow-xl backdrop:bg-black/50 md:hidden"
    >
      {open ? (
        <div className="flex h-full flex-col">
          <div className="flex h-14 items-center justify-between gap-2 border-b border-border px-5">
            <Link href="/" onClick={() => onClose()} className="flex items-center gap-2 font-semibold">
              {logo}
              Minos
            </Link>
            <button
              ref={close}
              type="button"
              onClick={() => onClose()}
              className="inline-flex size-9 items-center justify-center rounded-md text-fg-muted hover:bg-surface-muted hover:text-fg focus-visible:outline-2 focus-visible:outline-accent"
            >
              <X aria-hidden className="size-5" />
              <span className="sr-only">Close menu</span>
            </button>
          </div>
          {/* A link to the page already shown navigates nowhere, yet closes the drawer too. */}
          <div className="flex-1 overflow-y-auto" onClick={(e) => (e.target as Element).closest("a") && onClose()}>
            {nav}
          </div>
        </div>
      ) : null}
    </dialog>
  );
}
