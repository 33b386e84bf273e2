import { AppShell } from "@/components/shell/app-shell";
import { RouteNotFound } from "@/components/shell/route-states";
import { currentPageGrant } from "@/lib/server/auth/page";

// Unmatched addresses land here before any streaming starts, so they answer 404, inside the shell
// for a signed-in person; nobody else sees the shell's cluster list.
export default async function NotFound() {
  const grant = await currentPageGrant();
  if (!grant) {
    return (
      <main className="mx-auto w-full max-w-3xl p-6">
        <RouteNotFound />
      </main>
    );
  }
  return (
    <AppShell grant={grant}>
      <RouteNotFound />
    </AppShell>
  );
}
