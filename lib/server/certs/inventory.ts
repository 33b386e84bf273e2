import "server-only";

import { CERT_ROLES, ROLE_PRECEDENCE } from "@/lib/certs/roles";
import { assessCert, compareUrgency } from "@/lib/certs/tiers";
import type { Certificate, CertScanError, CertSource, TierCounts } from "@/lib/schemas/certs";
import type { CertObservation } from "@/lib/server/certs/extract";
import { readCertFacts, type CertFacts } from "@/lib/server/talos/certs";

/** The inventory a scan produces: certificates most urgent first, and what could not be read. */
export interface InventoryResult {
  certificates: Certificate[];
  /** Certificates that were found but could not be parsed. */
  errors: CertScanError[];
}

interface Group {
  facts: CertFacts;
  cluster: string;
  observations: CertObservation[];
}

/**
 * Facts per PEM, across scans. Reading a certificate with @peculiar/x509 costs about half a
 * millisecond; every node's config repeats the same CAs and most certificates outlive many scans
 * (apid's rotate every 12 h), so a rescan reads only what is new. Bounded, oldest out first.
 */
const factsCache = new Map<string, CertFacts | Error>();
const FACTS_CACHE_MAX = 20_000;

function cachedCertFacts(pem: string): CertFacts {
  let known = factsCache.get(pem);
  if (known === undefined) {
    try {
      known = readCertFacts(pem);
    } catch (e) {
      known = e instanceof Error ? e : new Error(String(e));
    }
    if (factsCache.size >= FACTS_CACHE_MAX) factsCache.delete(factsCache.keys().next().value!);
    factsCache.set(pem, known);
  }
  if (known instanceof Error) throw known;
  return known;
}

const SOURCE_ORDER: CertSource[] = ["talosconfig", "machine-config", "tls-handshake", "secrets"];

/**
 * Turns sightings into inventory rows. Pure apart from the clock passed in: one row per
 * certificate per cluster (by SHA-256 fingerprint), with every node it was seen on, the role of
 * highest precedence, its tier and the notes the sources attached.
 */
export function buildInventory(observations: CertObservation[], now: Date): InventoryResult {
  const groups = new Map<string, Group>();
  const errors: CertScanError[] = [];
  for (const o of observations) {
    // Each certificate is read on its own: one that cannot be read is one error row with the
    // reason, never a failed scan (a real cluster's aggregator CA, with its empty subject, once was).
    let facts: CertFacts;
    try {
      facts = cachedCertFacts(o.pem);
    } catch (e) {
      errors.push({
        cluster: o.cluster,
        node: o.node,
        source: o.source,
        code: "invalid_config",
        message: `A ${o.purpose ?? CERT_ROLES[o.role].purpose} could not be read: ${(e as Error).message}`,
      });
      continue;
    }
    const key = `${o.cluster}/${facts.fingerprint256}`;
    const group = groups.get(key);
    if (group) group.observations.push(o);
    else groups.set(key, { facts, cluster: o.cluster, observations: [o] });
  }

  const certificates: Certificate[] = [];
  for (const g of groups.values()) {
    try {
      certificates.push(toRow(g, now));
    } catch (e) {
      const o = g.observations[0]!;
      errors.push({
        cluster: g.cluster,
        node: o.node,
        source: o.source,
        code: "internal",
        message: `A ${o.purpose ?? CERT_ROLES[o.role].purpose} (SHA-256 ${g.facts.fingerprint256}) could not be listed: ${(e as Error).message}`,
      });
    }
  }
  certificates.sort((a, b) => compareUrgency(a, b) || a.purpose.localeCompare(b.purpose) || a.id.localeCompare(b.id));
  return { certificates, errors };
}

function toRow({ facts, cluster, observations }: Group, now: Date): Certificate {
  const primary = [...observations].sort((a, b) => ROLE_PRECEDENCE.indexOf(a.role) - ROLE_PRECEDENCE.indexOf(b.role))[0]!;
  const info = CERT_ROLES[primary.role];
  // A certificate of unknown role can still be a CA; the certificate itself says so.
  const kind = primary.role === "other" && facts.isCa ? "ca" : info.kind;
  const assessment = assessCert({ kind, rotatesAtHalfLife: info.rotatesAtHalfLife, notBefore: facts.notBefore, notAfter: facts.notAfter }, now);
  const notes = [assessment.note, ...new Set(observations.map((o) => o.note).filter((n): n is string => !!n))].filter(
    (n): n is string => !!n,
  );
  const nodes = [...new Set(observations.map((o) => o.node).filter((n): n is string => n !== null))].sort();
  const sources = SOURCE_ORDER.filter((s) => observations.some((o) => o.source === s));
  return {
    id: `${cluster}/${facts.fingerprint256.replaceAll(":", "").toLowerCase()}`,
    fingerprint: facts.fingerprint256,
    subject: facts.subject,
    commonName: facts.commonName,
    issuer: facts.issuer,
    serialNumber: facts.serialNumber,
    keyAlgorithm: facts.keyAlgorithm,
    kind,
    purpose: primary.purpose ?? info.purpose,
    cluster,
    nodes,
    sources,
    roles: kind === "client" ? (primary.roles ?? facts.organizations) : [],
    notBefore: facts.notBefore.toISOString(),
    notAfter: facts.notAfter.toISOString(),
    daysLeft: assessment.daysLeft,
    tier: assessment.tier,
    renewedBy: info.renewedBy,
    howToRenew: info.howToRenew,
    note: notes.length > 0 ? notes.join("; ") : null,
  };
}

/** How many certificates are in each tier. */
export function countTiers(certificates: Pick<Certificate, "tier">[]): TierCounts {
  const counts: TierCounts = { ok: 0, notice: 0, warning: 0, critical: 0 };
  for (const c of certificates) counts[c.tier]++;
  return counts;
}
