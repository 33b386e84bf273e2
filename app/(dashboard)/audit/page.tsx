import { CircleCheck, CircleX, ScrollText, ShieldX } from "lucide-react";
import type { Metadata } from "next";

import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ScrollX } from "@/components/ui/scroll-x";
import { PIN_FIRST_COLUMN } from "@/components/ui/table";
import type { AuditEntry } from "@/lib/schemas/audit";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageAudit } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Audit" };

const resultLook = {
  ok: { tone: "ok", icon: CircleCheck, label: "OK" },
  failed: { tone: "danger", icon: CircleX, label: "Failed" },
  refused: { tone: "warn", icon: ShieldX, label: "Refused" },
} as const;

function ResultBadge({ result }: { result: AuditEntry["result"] }) {
  const { tone, icon: Icon, label } = resultLook[result];
  return (
    <Badge tone={tone}>
      <Icon aria-hidden className="size-3" />
      {label}
    </Badge>
  );
}

export default async function AuditPage() {
  const grant = await requirePageActor("viewer");
  const entries = await pageAudit(grant, { limit: 200 });
  return (
    <>
      <PageHeader title="Audit" description="Every change Minos made, who made it and what came of it. Newest first." />
      {entries.length === 0 ? (
        <EmptyState icon={ScrollText} title="No audit entries">
          Minos has not changed anything yet. Applies, rollouts and upgrades will be recorded here.
        </EmptyState>
      ) : (
        <Card>
          <ScrollX label="Audit log">
            <table className={`w-full text-left text-sm ${PIN_FIRST_COLUMN}`}>
              <thead className="border-b border-border text-xs uppercase tracking-wide text-fg-muted">
                <tr>
                  <th scope="col" className="px-4 py-3 font-medium">When (UTC)</th>
                  <th scope="col" className="px-4 py-3 font-medium">Who</th>
                  <th scope="col" className="px-4 py-3 font-medium">Action</th>
                  <th scope="col" className="px-4 py-3 font-medium">Target</th>
                  <th scope="col" className="px-4 py-3 font-medium">Result</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id} className="border-b border-border last:border-0">
                    <td className="px-4 py-2 tabular-nums">
                      <time dateTime={e.at}>{e.at.slice(0, 19).replace("T", " ")}</time>
                    </td>
                    <td className="px-4 py-2">{e.actor}</td>
                    <td className="px-4 py-2 font-mono text-xs">{e.action}</td>
                    <td className="px-4 py-2 font-mono text-xs">{e.target}</td>
                    <td className="px-4 py-2">
                      <ResultBadge result={e.result} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollX>
        </Card>
      )}
    </>
  );
}
