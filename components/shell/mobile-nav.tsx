"use client";

import { Menu, X } from "lucide-react";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";

import { focusableIn, wrapTarget } from "@/components/shell/focus-trap";

/**
 * Below the `md` breakpoint the sidebar is hidden: this menu button opens the same navigation as
 * a drawer on the native modal <dialog> (the page behind is inert, Escape closes it). Tab wraps
 * inside the drawer, focus goes back to the button on close, and a navigation or a screen
 * growing past `md` closes it.
 */
export function MobileNav({ logo, nav }: { logo: ReactNode; nav: ReactNode }) {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  const pathname = usePathname();
  const search = useSearchParams().toString();

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
      button.current?.focus();
    }
  }, [open]);

  // Past `md` (a phone turned, a window widened) the drawer is display:none, but a modal dialog
  // left open would keep the page behind inert: close it as the wide layout takes over.
  useEffect(() => {
    const wide = window.matchMedia("(min-width: 768px)");
    const onChange = (e: MediaQueryListEvent) => {
      if (e.matches) setOpen(false);
    };
    wide.addEventListener("change", onChange);
    return () => wide.removeEventListener("change", onChange);
  }, []);

  // A navigation (a link in the drawer, or back/forward while it is open) closes it.
  const [shownFor, setShownFor] = useState(`${pathname}?${search}`);
  if (shownFor !== `${pathname}?${search}`) {
    setShownFor(`${pathname}?${search}`);
    if (open) setOpen(false);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDialogElement>) {
    if (e.key !== "Tab" || !dialog.current) return;
    const target = wrapTarget(focusableIn(dialog.current), document.activeElement, e.shiftKey);
    if (target) {
      e.preventDefault();
      target.focus();
    }
  }

  return (
    <>
      <button
        ref={button}
        type="button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls="main-navigation-drawer"
        onClick={() => setOpen(true)}
        className="inline-flex size-9 shrink-0 items-center justify-center rounded-md border border-border bg-surface text-fg hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-accent md:hidden"
      >
        <Menu aria-hidden className="size-5" />
        <span className="sr-only">Menu</span>
      </button>
      <dialog
        ref={dialog}
        id="main-navigation-drawer"
        aria-label="Navigation"
        onKeyDown={onKeyDown}
        onCancel={(e) => {
          // Escape: closed through the state, so focus goes back to the button.
          e.preventDefault();
          setOpen(false);
        }}
        onClick={(e) => {
          // A click on the backdrop lands on the dialog element itself.
          if (e.target === e.currentTarget) setOpen(false);
        }}
        className="fixed inset-y-0 left-0 m-0 h-full max-h-none w-72 max-w-[85vw] border-r border-border bg-surface p-0 text-fg shadow-xl backdrop:bg-black/50 md:hidden"
      >
        {open ? (
          <div className="flex h-full flex-col">
            <div className="flex h-14 items-center justify-between gap-2 border-b border-border px-5">
              <Link href="/" onClick={() => setOpen(false)} className="flex items-center gap-2 font-semibold">
                {logo}
                Minos
              </Link>
              <button
                ref={close}
                type="button"
                onClick={() => setOpen(false)}
                className="inline-flex size-9 items-center justify-center rounded-md text-fg-muted hover:bg-surface-muted hover:text-fg focus-visible:outline-2 focus-visible:outline-accent"
              >
                <X aria-hidden className="size-5" />
                <span className="sr-only">Close menu</span>
              </button>
            </div>
            {/* A link to the page already shown navigates nowhere, yet closes the drawer too. */}
            <div className="flex-1 overflow-y-auto" onClick={(e) => (e.target as Element).closest("a") && setOpen(false)}>
              {nav}
            </div>
          </div>
        ) : null}
      </dialog>
    </>
  );
}
