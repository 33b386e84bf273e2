"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CircleCheck, Play, RotateCw, Square } from "lucide-react";
import { useState } from "react";

import { ConfirmDialog } from "@/components/config-push/confirm-dialog";
import { ActionError } from "@/components/node-actions/power-dialogs";
import { Button } from "@/components/ui/button";
import { fleetKeys, followServiceAction } from "@/lib/client/fleet";
import { serviceAction } from "@/lib/client/node-actions";
import type { ServiceHealth } from "@/lib/schemas/fleet";
import { allowedServiceActions, type ServiceActionName } from "@/lib/talos/service-actions";

const LABEL: Record<ServiceActionName, string> = { start: "Start", stop: "Stop", restart: "Restart" };
const ICON = { start: Play, stop: Square, restart: RotateCw } as const;

const WHAT: Record<ServiceActionName, string> = {
  start: "Talos starts the service.",
  stop: "Talos stops the service; it stays stopped until it is started again or the node reboots.",
  restart: "Talos stops the service and starts it again.",
};

/**
 * A service row's buttons: only what Talos's API allows for that service (kubelet: start and
 * restart; extension services: all three; the others: none), start only when it is not running,
 * stop and restart only when it is. For operators (the caller checks the role); `disabledReason`
 * (Minos's talosconfig cannot drive services) disables them with the reason.
 */
export function ServiceActions({ node, nodeName, service, disabledReason }: { node: string; nodeName: string; service: ServiceHealth; disabledReason?: string }) {
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState<ServiceActionName | null>(null);
  const mutation = useMutation({
    mutationFn: (a: ServiceActionName) => serviceAction(node, service.id, a),
    onSuccess: (_data, a) => {
      setAsking(null);
      // Not awaited: the mutation is done once Talos answered; the row catches up in the background.
      void followServiceAction(queryClient, node, service.id, a);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: fleetKeys.all }),
  });
  const running = service.state === "Running";
  const offered = allowedServiceActions(service.id).filter((a) => (a === "start" ? !running : running));
  if (offered.length === 0) return <span className="text-xs text-fg-muted">–</span>;
  return (
    <div className="flex flex-wrap items-center gap-1">
      {offered.map((a) => {
        const Icon = ICON[a];
        return (
          <Button
            key={a}
            size="sm"
            variant="ghost"
            aria-label={`${LABEL[a]} ${service.id}`}
            disabled={mutation.isPending || disabledReason !== undefined}
            title={disabledReason}
            onClick={() => {
              mutation.reset();
              setAsking(a);
            }}
          >
            <Icon aria-hidden className="size-3.5" />
            {LABEL[a]}
          </Button>
        );
      })}
      {mutation.isSuccess && asking === null ? (
        <span role="status" className="flex items-center gap-1 text-xs text-fg-muted">
          <CircleCheck aria-hidden className="size-3.5 text-ok" />
          {mutation.data.message}
        </span>
      ) : null}
      {mutation.isError && asking === null ? <ActionError message={mutation.error.message} /> : null}
      <ConfirmDialog
        open={asking !== null}
        title={asking ? `${LABEL[asking]} ${service.id} on ${nodeName}?` : ""}
        confirmLabel={asking ? `${LABEL[asking]} ${service.id}` : ""}
        danger={asking === "stop"}
        busy={mutation.isPending}
        onCancel={() => setAsking(null)}
        onConfirm={() => asking && mutation.mutate(asking)}
      >
        <p>{asking ? WHAT[asking] : null}</p>
        {service.id === "kubelet" ? <p>While the kubelet restarts, Kubernetes may mark the node NotReady for a moment; its pods keep running.</p> : null}
        {mutation.isError ? <ActionError message={mutation.error.message} /> : null}
      </ConfirmDialog>
    </div>
  );
}
