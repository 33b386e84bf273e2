/**
 * `npm run bench inventory`: building the certificate inventory of a 1,000-node cluster (every
 * node's config repeats the four CAs; each node presents its own apid certificate).
 */
import type { BenchRow } from "@/test/bench/types";
import type { CertObservation } from "@/lib/server/certs/extract";
import { buildInventory } from "@/lib/server/certs/inventory";
import { createTalosCa, issueServerCert } from "@/lib/talos/pki";

export default async function bench(): Promise<BenchRow[]> {
  const NODES = 1_000;
  const [os, k8s, agg, etcd] = await Promise.all((["os", "kubernetes", "aggregator", "etcd"] as const).map((k) => createTalosCa(k)));
  const apid = await Promise.all(Array.from({ length: NODES }, (_, i) => issueServerCert(os!, { commonName: `n${i}`, ipAddresses: [`10.0.${i >> 8}.${i & 255}`] })));
  const observations: CertObservation[] = [];
  apid.forEach((a, i) => {
    const node = `10.0.${i >> 8}.${i & 255}@c`;
    observations.push({ cluster: "c", node, source: "tls-handshake", role: "apid-server", pem: a.certPem });
    observations.push({ cluster: "c", node, source: "machine-config", role: "talos-ca", pem: os!.certPem });
    observations.push({ cluster: "c", node, source: "machine-config", role: "k8s-ca", pem: k8s!.certPem });
    if (i < 3) {
      observations.push({ cluster: "c", node, source: "machine-config", role: "aggregator-ca", pem: agg!.certPem });
      observations.push({ cluster: "c", node, source: "machine-config", role: "etcd-ca", pem: etcd!.certPem });
    }
  });
  const now = new Date();
  const first = performance.now();
  buildInventory(observations, now);
  const firstMs = performance.now() - first;
  const runs = 5;
  const start = performance.now();
  for (let i = 0; i < runs; i++) buildInventory(observations, now);
  const ms = (performance.now() - start) / runs;
  const name = `buildInventory, ${NODES} nodes (${observations.length} sightings)`;
  return [
    { suite: "certs", name: `${name}, first scan`, value: firstMs, unit: "ms", note: "every certificate read" },
    { suite: "certs", name: `${name}, rescan`, value: ms, unit: "ms", note: "mean of 5, certificates already read" },
  ];
}
