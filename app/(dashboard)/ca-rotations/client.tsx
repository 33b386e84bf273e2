"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { useControlAccess } from "@/components/auth/use-availability";
import { CaRotationDryRunView } from "@/components/ca-rotation/ca-rotation-dry-run";
import { CaRotationForm } from "@/components/ca-rotation/ca-rotation-form";
import { CaRotationHistory } from "@/components/ca-rotation/ca-rotation-history";
import { Card } from "@/components/ui/card";
import { ApiError } from "@/lib/client/api";
import { caRotationKeys, caRotationListQueryOptions, dryRunCaRotation, isLiveCaRotation, startCaRotation } from "@/lib/client/ca-rotation";
import type { CaRotationDryRun, CaRotationRequest } from "@/lib/schemas/ca-rotation";

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : "The request failed.");

/** The CA rotations page: the wizard (admins: choose, dry run, start) and the history. */
export function CaRotationsClient({ clusters, defaultCluster }: { clusters: string[]; defaultCluster?: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const history = useQuery(caRotationListQueryOptions());
  const access = useControlAccess("applyConfig");
  const [request, setRequest] = useState<CaRotationRequest | null>(null);
  const [dryRun, setDryRun] = useState<CaRotationDryRun | null>(null);
  const dry = useMutation({ mutationFn: dryRunCaRotation, onSuccess: (d) => setDryRun(d) });
  const start = useMutation({
    mutationFn: startCaRotation,
    onSuccess: (r) => {
      void queryClient.invalidateQueries({ queryKey: caRotationKeys.all });
      router.push(`/ca-rotations/${r.id}`);
    },
  });
  const live = history.data?.rotations.find(isLiveCaRotation);
  return (
    <div className="space-y-8">
      {access.hidden ? null : (
        <section aria-labelledby="new-ca-rotation" className="space-y-4">
          <h2 id="new-ca-rotation" className="text-lg font-semibold">
            New CA rotation
          </h2>
          {live ? (
            <p role="status" className="rounded-md border border-info/30 bg-info/10 px-3 py-2 text-sm text-info">
              The CAs of {live.cluster} are being rotated ({live.stepsDone}/{live.stepsTotal} steps).{" "}
              <Link href={`/ca-rotations/${live.id}`} className="underline">
                Watch it
              </Link>
            </p>
          ) : null}
          <Card className="p-5">
            <CaRotationForm
              clusters={clusters}
              defaultCluster={defaultCluster}
              busy={dry.isPending}
              onChange={() => {
                setDryRun(null);
                dry.reset();
                start.reset();
              }}
              onDryRun={(r) => {
                setRequest(r);
                start.reset();
                dry.mutate(r);
              }}
            />
          </Card>
          {dry.error ? (
            <p role="alert" className="text-sm text-danger">
              {errorText(dry.error)}
            </p>
          ) : null}
          {dryRun && request ? <CaRotationDryRunView dryRun={dryRun} starting={start.isPending} onStart={() => start.mutate(request)} /> : null}
          {start.error ? (
            <p role="alert" className="text-sm text-danger">
              {errorText(start.error)}
            </p>
          ) : null}
        </section>
      )}
      <section aria-labelledby="ca-history" className="space-y-4">
        <h2 id="ca-history" className="text-lg font-semibold">
          History
        </h2>
        {history.data ? <CaRotationHistory rotations={history.data.rotations} /> : history.error ? <p role="alert" className="text-sm text-danger">{errorText(history.error)}</p> : null}
      </section>
    </div>
  );
}
