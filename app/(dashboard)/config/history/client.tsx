"use client";

import { Server } from "lucide-react";

import { DriftBanner } from "@/components/config-push/drift-banner";
import { NodeSelect } from "@/components/config-push/node-select";
import { nodeLabelOf } from "@/components/config-push/push-section";
import { RevisionHistory } from "@/components/config-push/revision-history";
import { TryCountdown } from "@/components/config-push/try-countdown";
import { EmptyState } from "@/components/ui/empty-state";

export function HistoryClient({ node, cluster }: { node: string | null; cluster: string | null }) {
  return (
    <div className="space-y-4">
      <NodeSelect node={node} basePath="/config/history" cluster={cluster} />
      {node ? (
        <>
          <TryCountdown node={node} nodeLabel={nodeLabelOf(node)} />
          <DriftBanner node={node} nodeLabel={nodeLabelOf(node)} />
          <RevisionHistory key={node} node={node} nodeLabel={nodeLabelOf(node)} />
        </>
      ) : (
        <EmptyState icon={Server} title="Choose a node">
          Each node has its own history: pick one above to see the configs Minos applied to it.
        </EmptyState>
      )}
    </div>
  );
}
