import type { CertTier } from "@/lib/schemas/certs";

// The tier names are the HTTP contract's (lib/schemas depends on no feature folder).
export type { CertTier };

const DAY_MS = 86_400_000;

/** Days from `now` until `notAfter`, negative once expired, rounded down. */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/**
 * How urgent a certificate's expiry is. Leaves and client certificates are renewed in weeks;
 * a CA takes a planned rotation, so its tiers start a year out.
 */
export function certTier(kind: "leaf" | "ca", notAfter: Date, now: Date): CertTier {
  const remaining = (notAfter.getTime() - now.getTime()) / DAY_MS;
  const [notice, warning, critical] = kind === "ca" ? [365, 90, 30] : [30, 7, 1];
  if (remaining <= critical) return "critical";
  if (remaining <= warning) return "warning";
  if (remaining <= notice) return "notice";
  return "ok";
}

/** Tiers from least to most urgent; the index is the rank. */
export const TIER_ORDER: readonly CertTier[] = ["ok", "notice", "warning", "critical"];

/** 0 for ok … 3 for critical. */
export function tierRank(tier: CertTier): number {
  return TIER_ORDER.indexOf(tier);
}

/** The more urgent of two tiers. */
export function worseTier(a: CertTier, b: CertTier): CertTier {
  return tierRank(a) >= tierRank(b) ? a : b;
}

/**
 * Talos rotates a leaf at half its life; the scanner runs every few minutes and the rotation
 * controller can lag a little, so only a cert this far past half-life counts as not rotated.
 */
export const ROTATION_GRACE_MS = 15 * 60_000;

/** What {@link assessCert} needs to know about a certificate. */
export interface CertAssessInput {
  kind: "leaf" | "ca" | "client";
  /** Talos reissues it at half its life (apid, kube-apiserver leaves); false for everything else. */
  rotatesAtHalfLife: boolean;
  notBefore: Date;
  notAfter: Date;
}

/** A certificate's tier, days left, and the reason when the dates alone don't explain it. */
export interface CertAssessment {
  tier: CertTier;
  daysLeft: number;
  note: string | null;
}

/**
 * The tier of one certificate.
 *
 * - Certificates the operator renews (CAs, talosconfig client certificates) and leaves Talos only
 *   reissues on change (etcd's) use the day thresholds of {@link certTier}.
 * - Leaves Talos rotates (apid's 24 h certificate, the kube-apiserver leaves) are renewed at
 *   half their life, so "days left" says nothing (a 24 h certificate always has less than one):
 *   the signal is a certificate past half its life, meaning rotation is stuck. Past half is a
 *   warning, past three quarters critical, and expired always critical.
 * - A certificate not valid yet is at least a warning (clock skew, or a rotation that misfired).
 */
export function assessCert(cert: CertAssessInput, now: Date): CertAssessment {
  const days = daysLeft(cert.notAfter, now);
  const t = now.getTime();
  const start = cert.notBefore.getTime();
  const end = cert.notAfter.getTime();
  if (t >= end) return { tier: "critical", daysLeft: days, note: "expired" };

  let tier: CertTier;
  let note: string | null = null;
  if (cert.rotatesAtHalfLife && cert.kind !== "ca") {
    const life = Math.max(end - start, 1);
    const elapsed = t - start;
    if (elapsed > 0.75 * life) {
      tier = "critical";
      note = "past three quarters of its life: Talos should have rotated it long ago";
    } else if (elapsed > 0.5 * life + ROTATION_GRACE_MS) {
      tier = "warning";
      note = "past half its life: rotation may be stuck";
    } else {
      tier = "ok";
    }
  } else {
    tier = certTier(cert.kind === "ca" ? "ca" : "leaf", cert.notAfter, now);
  }
  if (t < start) {
    tier = worseTier(tier, "warning");
    note = "not valid yet: check the clocks of Minos and the node";
  }
  return { tier, daysLeft: days, note };
}

/** Most urgent first: by tier, then by the nearest notAfter. */
export function compareUrgency(a: { tier: CertTier; notAfter: string }, b: { tier: CertTier; notAfter: string }): number {
  return tierRank(b.tier) - tierRank(a.tier) || Date.parse(a.notAfter) - Date.parse(b.notAfter);
}
