import { z } from "zod";

export const certTierSchema = z.enum(["ok", "notice", "warning", "critical"]);
export type CertTier = z.infer<typeof certTierSchema>;

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
