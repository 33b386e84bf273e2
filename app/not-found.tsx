import { AppShell } from "@/components/shell/app-shell";
import { RouteNotFound } from "@/components/shell/route-states";

// Unmatched addresses land here before any streaming starts, so they answer 404, inside the shell.
export default function NotFound() {
  return (
    <AppShell>
      <RouteNotFound />
    </AppShell>
  );
}
