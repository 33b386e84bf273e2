import { z } from "zod";

import { errorCodeSchema } from "@/lib/schemas/error";

/**
 * How urgent a certificate's expiry is, least to most. Part of the HTTP contract, so it is defined
 * here; lib/certs/tiers.ts computes it.
 */
export const certTierSchema = z.enum(["ok", "notice", "warning", "critical"]);
export type CertTier = z.infer<typeof certTierSchema>;

/**
 * `client`: a talosconfig client certificate (the operator's own credentials); `ca`: a
 * certificate authority; `leaf`: any other certificate a node presents or holds.
 */
export const certKindSchema = z.enum(["leaf", "ca", "client"]);
export type CertKind = z.infer<typeof certKindSchema>;

/** Who renews a certificate: Talos rotates its own leaves; CAs and talosconfigs are the operator's job. */
export const renewedBySchema = z.enum(["talos", "operator"]);
export type RenewedBy = z.infer<typeof renewedBySchema>;

/** Where Minos saw a certificate. */
export const certSourceSchema = z.enum(["talosconfig", "machine-config", "tls-handshake", "secrets"]);
export type CertSource = z.infer<typeof certSourceSchema>;

/** One certificate of the inventory; the same certificate seen on several nodes is one row. */
export const certificateSchema = z.object({
  /** `<cluster>/<sha-256 hex>`: stable across scans. */
  id: z.string(),
  /** SHA-256, colon-separated upper-case hex. */
  fingerprint: z.string(),
  /** One-line subject, e.g. "O=os:admin, CN=admin"; "" when empty (Talos's aggregator CA). */
  subject: z.string(),
  commonName: z.string().nullable(),
  /** One-line issuer; "" when empty. */
  issuer: z.string(),
  serialNumber: z.string(),
  /** The public key's type: "Ed25519", "ECDSA P-256", "RSA 4096"… */
  keyAlgorithm: z.string(),
  kind: certKindSchema,
  /** What it is for, e.g. "Talos API server (apid)", "Kubernetes CA". */
  purpose: z.string(),
  cluster: z.string(),
  /** Node IDs (`address@cluster`) the certificate was seen on; empty for talosconfig certificates. */
  nodes: z.array(z.string()),
  sources: z.array(certSourceSchema),
  /** Talos roles (Subject O values) of a client certificate; empty for the others. */
  roles: z.array(z.string()),
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime(),
  /** Whole days until notAfter, negative once expired. */
  daysLeft: z.number().int(),
  tier: certTierSchema,
  renewedBy: renewedBySchema,
  /** One sentence: what renews it, or what the operator has to run. */
  howToRenew: z.string(),
  /** Why the tier is what it is when the dates alone don't say, e.g. "past half its life: rotation may be stuck". */
  note: z.string().nullable(),
});
export type Certificate = z.infer<typeof certificateSchema>;

/** A part of the scan that failed; the rest of the inventory is still served. */
export const certScanErrorSchema = z.object({
  cluster: z.string(),
  /** Node ID, or null when the failure concerns the whole cluster. */
  node: z.string().nullable(),
  /** What Minos was reading, e.g. "tls-handshake", "machine-config", "secrets". */
  source: certSourceSchema,
  code: errorCodeSchema,
  message: z.string(),
});
export type CertScanError = z.infer<typeof certScanErrorSchema>;

/**
 * What a cluster's credentials let Minos see. Readers and operators get the talosconfig client
 * certificate, its CA and the served apid certificates; only admins can read machine configs and
 * secrets (CAs and etcd/Kubernetes leaves).
 */
export const certClusterScanSchema = z.object({
  cluster: z.string(),
  roles: z.array(z.string()),
  admin: z.boolean(),
  /**
   * etcd and Kubernetes leaf certificates from the secrets resources: `served` when some node
   * had them, `none` when the nodes answered with empty lists, `forbidden` without admin.
   */
  leafSecrets: z.enum(["served", "none", "forbidden", "failed"]),
  nodesScanned: z.number().int(),
  scannedAt: z.iso.datetime(),
});
export type CertClusterScan = z.infer<typeof certClusterScanSchema>;

export const tierCountsSchema = z.object({ ok: z.number().int(), notice: z.number().int(), warning: z.number().int(), critical: z.number().int() });
export type TierCounts = z.infer<typeof tierCountsSchema>;

/** GET /api/certificates */
export const certificatesResponseSchema = z.object({
  /** Most urgent first. */
  certificates: z.array(certificateSchema),
  clusters: z.array(certClusterScanSchema),
  errors: z.array(certScanErrorSchema),
  counts: tierCountsSchema,
  /** When the inventory was gathered; null before the first scan finished. */
  scannedAt: z.iso.datetime().nullable(),
  nextScanAt: z.iso.datetime().nullable(),
  /** A scan is running: with `scannedAt` null, the first one, whose results are not in yet. */
  scanning: z.boolean(),
});
export type CertificatesResponse = z.infer<typeof certificatesResponseSchema>;

export const certificatesQuerySchema = z.object({
  cluster: z.string().min(1).optional(),
  kind: certKindSchema.optional(),
  tier: certTierSchema.optional(),
  /** `1` rescans now (and waits for it) instead of serving the last scan. */
  refresh: z.enum(["1", "true"]).optional(),
});
export type CertificatesQuery = z.infer<typeof certificatesQuerySchema>;

/** The nearest expiry for the Overview: the most urgent certificate and the tier counts. */
export const nearestExpirySchema = z.object({
  certificate: certificateSchema.nullable(),
  /** The worst tier in the inventory; null when there are no certificates. */
  worstTier: certTierSchema.nullable(),
  counts: tierCountsSchema,
  scannedAt: z.iso.datetime().nullable(),
});
export type NearestExpiry = z.infer<typeof nearestExpirySchema>;
