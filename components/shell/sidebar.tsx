import { NavLink } from "@/components/shell/nav-link";
import { navItemsFor } from "@/components/shell/nav-items";
import type { Role } from "@/lib/schemas/auth";

/**
 * The main navigation: the sidebar on wide screens and the menu drawer on narrow ones render the
 * same links. A server component: the icons arrive rendered, so no page downloads their code;
 * only each link's current-page mark runs in the browser (NavLink).
 */
export function Sidebar({ role }: { role: Role }) {
  return (
    <nav aria-label="Main" className="flex flex-col gap-1 p-3">
      {navItemsFor(role).map(({ href, label, icon: Icon }) => (
        <NavLink key={href} href={href}>
          <Icon aria-hidden className="size-4" />
          {label}
        </NavLink>
      ))}
    </nav>
  );
}
