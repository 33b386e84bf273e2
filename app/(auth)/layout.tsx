import type { ReactNode } from "react";

/** Sign-in, first-start and invitation pages: outside the dashboard shell, nothing to navigate to yet. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return <>{children}</>;
}
