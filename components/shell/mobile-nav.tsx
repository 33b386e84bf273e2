"use client";

import { Menu } from "lucide-react";
import { usePathname, useSearchParams } from "next/navigation";
import { lazy, Suspense, useCallback, useRef, useState, type ReactNode } from "react";

const NavDrawer = lazy(() => import("@/components/shell/nav-drawer"));

/**
 * Below the `md` breakpoint the sidebar is hidden: this menu button opens the same navigation as
 * a drawer (nav-drawer.tsx, loaded on the first open; the page behind is inert, Escape closes it).
 * A navigation closes it too.
 */
export function MobileNav({ logo, nav }: { logo: ReactNode; nav: ReactNode }) {
  const [open, setOpen] = useState(false);
  const [wanted, setWanted] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const pathname = usePathname();
  const search = useSearchParams().toString();
  const onClose = useCallback(() => setOpen(false), []);

  // A navigation (a link in the drawer, or back/forward while it is open) closes it.
  const [shownFor, setShownFor] = useState(`${pathname}?${search}`);
  if (shownFor !== `${pathname}?${search}`) {
    setShownFor(`${pathname}?${search}`);
    if (open) setOpen(false);
  }

  return (
    <>
      <button
        ref={button}
        type="button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={wanted ? "main-navigation-drawer" : undefined}
        onClick={() => {
          setWanted(true);
          setOpen(true);
        }}
        className="inline-flex size-9 shrink-0 items-center justify-center rounded-md border border-border bg-surface text-fg hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-accent md:hidden"
      >
        <Menu aria-hidden className="size-5" />
        <span className="sr-only">Menu</span>
      </button>
      {wanted ? (
        <Suspense fallback={null}>
          <NavDrawer open={open} onClose={onClose} menuButton={button} logo={logo} nav={nav} />
        </Suspense>
      ) : null}
    </>
  );
}
