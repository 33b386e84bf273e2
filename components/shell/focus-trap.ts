/** What Tab can reach inside a container: enabled, not hidden, not taken out of the tab order. */
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusableIn(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.closest("[hidden],[inert]") && el.getClientRects().length > 0);
}

/**
 * The element Tab (or Shift+Tab) should move to so focus stays inside the container, or null
 * when the browser's own move already stays inside. A modal <dialog> makes the page behind it
 * inert, but Tab from its last element still leaves for the browser's own UI; this wraps instead.
 */
export function wrapTarget(focusable: HTMLElement[], active: Element | null, backwards: boolean): HTMLElement | null {
  if (focusable.length === 0) return null;
  const first = focusable[0]!;
  const last = focusable[focusable.length - 1]!;
  const index = active ? focusable.indexOf(active as HTMLElement) : -1;
  if (index === -1) return backwards ? last : first;
  if (backwards && index === 0) return last;
  if (!backwards && index === focusable.length - 1) return first;
  return null;
}
