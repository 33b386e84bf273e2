"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Hourglass, LoaderCircle, ShieldCheck } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { configKeys } from "@/lib/client/config";
import { applyConfig as apply, configPushKeys as pushKeys, revisionQueryOptions, revisionsQueryOptions } from "@/lib/client/config-push";
import { useNow } from "@/lib/client/use-now";

import { describeFailure, type ProblemText } from "./errors";
import { ProblemAlert } from "./preflight-result";
import { clock, secondsLeft } from "./push-model";

/**
 * The node's TRY apply on trial: a countdown to its automatic revert and a Keep action, which
 * applies the same config again without TRY. Read from the node's history, so it survives a
 * reload and shows on every page about the node.
 */
export function TryCountdown({ node, nodeLabel }: { node: string; nodeLabel: string }) {
  const queryClient = useQueryClient();
  const revisions = useQuery({
    ...revisionsQueryOptions(node),
    // While a trial runs, watch for the node's revert (or another tab's keep).
    refetchInterval: (q) => (q.state.data?.revisions.some((r) => r.result === "trying") ? 3_000 : false),
  });
  const trying = revisions.data?.revisions.find((r) => r.result === "trying" && r.tryUntil) ?? null;
  const now = useNow({ every: 1_000, live: trying !== null });
  const [problem, setProblem] = useState<ProblemText | null>(null);

  const keep = useMutation({
    mutationFn: async (id: number) => {
      const revision = await queryClient.fetchQuery(revisionQueryOptions(node, id));
      return apply(node, { yaml: revision.yaml, mode: "no-reboot" });
    },
    onMutate: () => setProblem(null),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: pushKeys.revisions(node) });
      void queryClient.invalidateQueries({ queryKey: pushKeys.drift(node) });
      void queryClient.invalidateQueries({ queryKey: configKeys.node(node) });
    },
    onError: (e) => setProblem(describeFailure(e, nodeLabel, "keep the config on")),
  });

  if (!trying?.tryUntil || now === null) return null;
  const left = secondsLeft(trying.tryUntil, now);
  return (
    <div role="region" aria-label="Config on trial" className="space-y-2 rounded-lg border border-warn/50 bg-warn/10 px-4 py-3">
      <div className="flex flex-wrap items-center gap-3">
        <Hourglass aria-hidden className="size-5 shrink-0 text-warn" />
        <div className="min-w-0 flex-1 text-sm">
          <p className="font-semibold">
            Revision #{trying.id} is on trial on {nodeLabel}.{" "}
            {left > 0 ? (
              <>
                The node reverts in{" "}
                <time role="timer" aria-label="Time left before the node reverts" className="font-mono tabular-nums" dateTime={`PT${left}S`}>
                  {clock(left)}
                </time>{" "}
                unless you keep it.
              </>
            ) : (
              "The time is up: the node is going back to its previous config."
            )}
          </p>
          <p className="text-fg-muted">Keeping applies the same config again without TRY, so the node stays on it.</p>
        </div>
        <Button variant="primary" onClick={() => keep.mutate(trying.id)} disabled={keep.isPending || left === 0}>
          {keep.isPending ? <LoaderCircle aria-hidden className="size-4 animate-spin motion-reduce:animate-none" /> : <ShieldCheck aria-hidden className="size-4" />}
          Keep this config on {nodeLabel.split(" ")[0]}
        </Button>
      </div>
      {problem ? <ProblemAlert problem={problem} /> : null}
    </div>
  );
}
