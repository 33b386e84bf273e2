import { FileCode2 } from "lucide-react";
import type { Metadata } from "next";

import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Config" };

export default function ConfigPage() {
  return (
    <>
      <PageHeader title="Config" description="Edit machine configs with live validation, preview each node's change, then apply." />
      <EmptyState icon={FileCode2} title="The manifest editor is not available yet">
        Editing, validating and applying machine configs from Minos is not built yet. Until then, use
        <code className="mx-1 font-mono">talosctl apply-config</code>.
      </EmptyState>
    </>
  );
}
