import { KeyRound, RefreshCw, TriangleAlert, UserRound } from "lucide-react";

import { TierBadge } from "@/components/certificates/tier-badge";
import { Badge } from "@/components/ui/badge";
import { ScrollX } from "@/components/ui/scroll-x";
import { certName, dnLabel, formatTimeLeft, formatUtc } from "@/lib/certs/view";
import type { Certificate } from "@/lib/schemas/certs";

const kindLabel = { client: "Client", ca: "CA", leaf: "Leaf" } as const;

/** Node IDs are `address@cluster`; the cluster has its own column. */
const address = (nodeId: string) => nodeId.slice(0, nodeId.indexOf("@"));

function SeenOn({ cert }: { cert: Certificate }) {
  if (cert.nodes.length === 0) return <span className="text-fg-muted">your talosconfig</span>;
  if (cert.nodes.length === 1) return <span className="font-mono text-xs">{address(cert.nodes[0]!)}</span>;
  return (
    <span title={cert.nodes.map(address).join(", ")}>
      {cert.nodes.length} nodes
      {cert.sources.includes("talosconfig") ? <span className="block text-xs text-fg-muted">and your talosconfig</span> : null}
    </span>
  );
}

/**
 * The inventory as a table, in the order given (most urgent first). Relative times are counted
 * from `asOf` (the scan time), so the server and the browser render the same text.
 */
// On a phone the table scrolls sideways; the certificate's name sticks to the left edge once the
// tier column has scrolled away.
const PIN = "max-md:sticky max-md:left-0 max-md:z-[1] max-md:bg-surface";

export function CertTable({ certificates, asOf }: { certificates: Certificate[]; asOf: Date }) {
  return (
    <ScrollX label="Certificates">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Certificates, most urgent first</caption>
        <thead className="border-b border-border text-xs uppercase tracking-wide text-fg-muted">
          <tr>
            <th scope="col" className="px-4 py-3 font-medium">Tier</th>
            <th scope="col" className={`px-4 py-3 font-medium ${PIN}`}>Certificate</th>
            <th scope="col" className="px-4 py-3 font-medium">Cluster</th>
            <th scope="col" className="px-4 py-3 font-medium">Seen on</th>
            <th scope="col" className="px-4 py-3 font-medium">Expires</th>
            <th scope="col" className="px-4 py-3 font-medium">Renewed by</th>
          </tr>
        </thead>
        <tbody>
          {certificates.map((c) => (
            <tr key={c.id} className="border-b border-border align-top last:border-0">
              <td className="px-4 py-3">
                <TierBadge tier={c.tier} />
              </td>
              <td className={`px-4 py-3 ${PIN}`}>
                <div className="font-medium">{c.purpose}</div>
                <div className="font-mono text-xs text-fg-muted" title={`Subject: ${dnLabel(c.subject)}\nIssuer: ${dnLabel(c.issuer)}\nKey: ${c.keyAlgorithm}\nSHA-256: ${c.fingerprint}`}>
                  {certName(c)} <span className="font-sans">· {kindLabel[c.kind]}</span>
                </div>
                {c.kind === "client" ? (
                  <div className="mt-1 flex flex-wrap items-center gap-2">
                    <Badge tone="warn">
                      <KeyRound aria-hidden className="size-3" />
                      Your credentials
                    </Badge>
                    <span className="text-xs text-fg-muted">Talos does not renew these</span>
                    {c.roles.length > 0 ? <span className="font-mono text-xs">{c.roles.join(", ")}</span> : null}
                  </div>
                ) : null}
              </td>
              <td className="px-4 py-3">{c.cluster}</td>
              <td className="px-4 py-3">
                <SeenOn cert={c} />
              </td>
              <td className="px-4 py-3">
                <div className="tabular-nums">{formatTimeLeft(c.notAfter, asOf)}</div>
                <time dateTime={c.notAfter} className="block text-xs text-fg-muted tabular-nums">
                  {formatUtc(c.notAfter)}
                </time>
                {c.note ? (
                  <div className="mt-1 flex max-w-64 items-start gap-1 text-xs text-warn">
                    <TriangleAlert aria-hidden className="mt-0.5 size-3 shrink-0" />
                    {c.note}
                  </div>
                ) : null}
              </td>
              <td className="max-w-80 px-4 py-3">
                {c.renewedBy === "talos" ? (
                  <span className="inline-flex items-center gap-1">
                    <RefreshCw aria-hidden className="size-3.5 text-fg-muted" />
                    Talos
                  </span>
                ) : (
                  <span className="inline-flex items-center gap-1 font-medium">
                    <UserRound aria-hidden className="size-3.5" />
                    You
                  </span>
                )}
                <details className="mt-1 text-xs text-fg-muted">
                  <summary className="cursor-pointer select-none">How</summary>
                  <p className="mt-1">{c.howToRenew}</p>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollX>
  );
}
