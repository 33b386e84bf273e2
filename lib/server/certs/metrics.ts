import "server-only";

import { Gauge, type Registry } from "prom-client";

import { TIER_ORDER } from "@/lib/certs/tiers";
import { getCertInventory } from "@/lib/server/certs/service";

export const CERT_NOT_AFTER_METRIC = "minos_certificate_not_after_seconds";
export const CERT_TIER_COUNT_METRIC = "minos_certificates";
export const CERT_SCAN_METRIC = "minos_certificate_scan_timestamp_seconds";
export const CERT_SCAN_ERRORS_METRIC = "minos_certificate_scan_errors";

/** How long a scrape waits for the first scan before answering without certificate series. */
const FIRST_SCAN_WAIT_MS = 2_000;

function inventoryForScrape() {
  return getCertInventory({ waitMs: FIRST_SCAN_WAIT_MS });
}

/**
 * Registers the certificate gauges on `registry` (idempotent). Values come from the scanner's last
 * inventory at scrape time; a scrape never waits for more than a moment for the first scan.
 *
 * - `minos_certificate_not_after_seconds{cluster,kind,purpose,subject,fingerprint,renewed_by,tier}`:
 *   notAfter as a Unix timestamp, one series per certificate (alert on `- time() < 7*86400`).
 * - `minos_certificates{cluster,tier}`: how many certificates are in each tier.
 * - `minos_certificate_scan_timestamp_seconds`, `minos_certificate_scan_errors{cluster,source}`.
 */
export function collectCertMetrics(registry: Registry): void {
  if (registry.getSingleMetric(CERT_NOT_AFTER_METRIC)) return;

  new Gauge({
    name: CERT_NOT_AFTER_METRIC,
    help: "Certificate notAfter as a Unix timestamp, per certificate, with its expiry tier",
    labelNames: ["cluster", "kind", "purpose", "subject", "fingerprint", "renewed_by", "tier"] as const,
    registers: [registry],
    async collect() {
      const last = await inventoryForScrape();
      this.reset();
      for (const c of last?.certificates ?? []) {
        this.set(
          { cluster: c.cluster, kind: c.kind, purpose: c.purpose, subject: c.subject, fingerprint: c.fingerprint, renewed_by: c.renewedBy, tier: c.tier },
          Date.parse(c.notAfter) / 1000,
        );
      }
    },
  });

  new Gauge({
    name: CERT_TIER_COUNT_METRIC,
    help: "Certificates per cluster and expiry tier",
    labelNames: ["cluster", "tier"] as const,
    registers: [registry],
    async collect() {
      const last = await inventoryForScrape();
      this.reset();
      const certs = last?.certificates ?? [];
      for (const cluster of new Set(certs.map((c) => c.cluster))) {
        for (const tier of TIER_ORDER) {
          this.set({ cluster, tier }, certs.filter((c) => c.cluster === cluster && c.tier === tier).length);
        }
      }
    },
  });

  new Gauge({
    name: CERT_SCAN_METRIC,
    help: "When the certificate inventory was last gathered, as a Unix timestamp",
    registers: [registry],
    async collect() {
      const last = await inventoryForScrape();
      this.reset();
      if (last) this.set(Date.parse(last.scannedAt) / 1000);
    },
  });

  new Gauge({
    name: CERT_SCAN_ERRORS_METRIC,
    help: "Parts of the last certificate scan that failed, per cluster and source",
    labelNames: ["cluster", "source"] as const,
    registers: [registry],
    async collect() {
      const last = await inventoryForScrape();
      this.reset();
      for (const e of last?.errors ?? []) this.inc({ cluster: e.cluster, source: e.source });
    },
  });
}
