"use client";

import { CircleCheck, CircleHelp, CircleX, Cog } from "lucide-react";
import type { ReactNode } from "react";

import { RelativeTime } from "@/components/ui/relative-time";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import type { ServiceHealth } from "@/lib/schemas/fleet";

function HealthBadge({ service }: { service: ServiceHealth }) {
  if (service.state === "Failed" || service.healthy === false) {
    return (
      <Badge tone="danger">
        <CircleX aria-hidden className="size-3" />
        {service.state === "Failed" ? "Failed" : "Unhealthy"}
      </Badge>
    );
  }
  if (service.healthy === true) {
    return (
      <Badge tone="ok">
        <CircleCheck aria-hidden className="size-3" />
        Healthy
      </Badge>
    );
  }
  return (
    <Badge>
      <CircleHelp aria-hidden className="size-3" />
      No health check
    </Badge>
  );
}

/**
 * A node's Talos services: state, health and the last message, failing ones first. `actions`
 * renders a cell of controls per service (the node page's start/stop/restart, for operators).
 */
export function ServiceTable({ services, reachable, actions }: { services: ServiceHealth[]; reachable: boolean; actions?: (service: ServiceHealth) => ReactNode }) {
  if (services.length === 0) {
    return (
      <EmptyState icon={Cog} title="No services known">
        {reachable
          ? "The node answered without a service list (the credentials may not allow it)."
          : "The node has not answered since Minos started, so its services are unknown."}
      </EmptyState>
    );
  }
  const failing = (s: ServiceHealth) => (s.state === "Failed" || s.healthy === false ? 0 : 1);
  const sorted = [...services].sort((a, b) => failing(a) - failing(b) || a.id.localeCompare(b.id));
  return (
    <Card className="overflow-x-auto">
      <Table aria-label="Services">
        <TableHead>
          <tr>
            <TableHeaderCell>Service</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>Health</TableHeaderCell>
            <TableHeaderCell>Last message</TableHeaderCell>
            <TableHeaderCell>Changed</TableHeaderCell>
            {actions ? <TableHeaderCell>Actions</TableHeaderCell> : null}
          </tr>
        </TableHead>
        <TableBody>
          {sorted.map((s) => (
            <TableRow key={s.id}>
              <TableCell className="font-mono">{s.id}</TableCell>
              <TableCell>{s.state}</TableCell>
              <TableCell>
                <HealthBadge service={s} />
              </TableCell>
              <TableCell className="max-w-md text-fg-muted">{s.message || "–"}</TableCell>
              <TableCell className="whitespace-nowrap text-xs text-fg-muted">{s.lastChange ? <RelativeTime iso={s.lastChange} /> : "–"}</TableCell>
              {actions ? <TableCell>{actions(s)}</TableCell> : null}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}
