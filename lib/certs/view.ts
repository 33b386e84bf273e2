import type { CertKind, Certificate, CertTier, TierCounts } from "@/lib/schemas/certs";

/** The page's filters; null means "all". */
export interface CertFilters {
  cluster: string | null;
  kind: CertKind | null;
  tier: CertTier | null;
}

const KINDS: readonly CertKind[] = ["client", "ca", "leaf"];
const TIERS: readonly CertTier[] = ["critical", "warning", "notice", "ok"];

/** Reads filters from URL search params; unknown values count as "all". */
export function parseCertFilters(params: { get(name: string): string | null }): CertFilters {
  const kind = params.get("kind");
  const tier = params.get("tier");
  return {
    cluster: params.get("cluster") || null,
    kind: KINDS.includes(kind as CertKind) ? (kind as CertKind) : null,
    tier: TIERS.includes(tier as CertTier) ? (tier as CertTier) : null,
  };
}

/** The certificates that pass the filters, keeping their order. */
export function filterCertificates<T extends Pick<Certificate, "cluster" | "kind" | "tier">>(certs: readonly T[], f: CertFilters): T[] {
  return certs.filter((c) => (!f.cluster || c.cluster === f.cluster) && (!f.kind || c.kind === f.kind) && (!f.tier || c.tier === f.tier));
}

/** Tier counts of a list. */
export function tierCounts(certs: readonly Pick<Certificate, "tier">[]): TierCounts {
  const counts: TierCounts = { ok: 0, notice: 0, warning: 0, critical: 0 };
  for (const c of certs) counts[c.tier]++;
  return counts;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** "in 11 h", "in 4 days", "in 3 years", "expired 2 days ago": the unit that reads at a glance. */
export function formatTimeLeft(notAfter: string, now: Date): string {
  const ms = Date.parse(notAfter) - now.getTime();
  const abs = Math.abs(ms);
  let text: string;
  if (abs < HOUR) text = `${Math.max(1, Math.round(abs / 60_000))} min`;
  else if (abs < 2 * DAY) text = `${Math.round(abs / HOUR)} h`;
  else if (abs < 120 * DAY) text = `${Math.floor(abs / DAY)} days`;
  else if (abs < 2 * 365 * DAY) text = `${Math.round(abs / (30 * DAY))} months`;
  else text = `${(abs / (365 * DAY)).toFixed(abs < 10 * 365 * DAY ? 1 : 0).replace(/\.0$/, "")} years`;
  return ms < 0 ? `expired ${text} ago` : `in ${text}`;
}

/** `2026-11-26 12:00 UTC`. */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * What names a certificate in a list: its common name, else its subject, else "(empty subject)"
 * (Talos's aggregator CA has neither subject nor issuer).
 */
export function certName(c: Pick<Certificate, "commonName" | "subject">): string {
  return c.commonName ?? (c.subject !== "" ? c.subject : "(empty subject)");
}

/** A subject or issuer for display: "(empty)" instead of nothing. */
export const dnLabel = (dn: string): string => (dn !== "" ? dn : "(empty)");
