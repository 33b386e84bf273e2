"use client";

import { Eye } from "lucide-react";
import { useId, useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import type { CaRotationRequest } from "@/lib/schemas/ca-rotation";

interface CaRotationFormProps {
  clusters: string[];
  defaultCluster?: string;
  busy: boolean;
  /** Called with the request to dry-run; starting happens from the dry run. */
  onDryRun: (request: CaRotationRequest) => void;
  /** Any edit invalidates a dry run shown below. */
  onChange?: () => void;
}

/** Step 1 of the wizard: the cluster and which CAs (rotate-ca --talos / --kubernetes); submitting asks for the dry run. */
export function CaRotationForm({ clusters, defaultCluster, busy, onDryRun, onChange }: CaRotationFormProps) {
  const id = useId();
  const [cluster, setCluster] = useState(defaultCluster ?? clusters[0] ?? "");
  const [talos, setTalos] = useState(true);
  const [kubernetes, setKubernetes] = useState(true);
  const [verifyTimeoutSeconds, setVerify] = useState(180);
  const changed = (fn: () => void) => {
    fn();
    onChange?.();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!cluster || (!talos && !kubernetes)) return;
    onDryRun({ cluster, talos, kubernetes, verifyTimeoutSeconds });
  };
  return (
    <form onSubmit={submit} className="grid gap-4 sm:grid-cols-2" aria-label="CA rotation">
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-cluster`} className="text-sm font-medium">
          Cluster
        </label>
        <Select id={`${id}-cluster`} value={cluster} onChange={(e) => changed(() => setCluster(e.target.value))}>
          {clusters.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </Select>
      </div>
      <fieldset className="flex flex-col gap-2 text-sm">
        <legend className="mb-1 font-medium">Which CA</legend>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={talos} onChange={(e) => changed(() => setTalos(e.target.checked))} />
          Talos API CA (machine.ca): Minos gets a new talosconfig
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={kubernetes} onChange={(e) => changed(() => setKubernetes(e.target.checked))} />
          Kubernetes API CA (cluster.ca): the kubelets restart
        </label>
      </fieldset>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-verify`} className="text-sm font-medium">
          Verification time per step (seconds)
        </label>
        <Input id={`${id}-verify`} type="number" min={5} max={1800} value={verifyTimeoutSeconds} onChange={(e) => changed(() => setVerify(Number(e.target.value)))} />
      </div>
      <div className="sm:col-span-2">
        <Button type="submit" variant="primary" disabled={busy || !cluster || (!talos && !kubernetes)}>
          <Eye aria-hidden className="size-4" />
          Dry run
        </Button>
        {!talos && !kubernetes ? <p className="mt-2 text-sm text-danger">Choose at least one CA.</p> : null}
      </div>
    </form>
  );
}
