import "server-only";

import { compareUrgency, TIER_ORDER } from "@/lib/certs/tiers";
import type { CertificatesQuery, CertificatesResponse, NearestExpiry } from "@/lib/schemas/certs";
import { scanCertificates, type CertInventory, type CertScanDeps } from "@/lib/server/certs/scanner";
import { countTiers } from "@/lib/server/certs/inventory";
import { subscribe } from "@/lib/server/platform/events";
import { getClusterClient } from "@/lib/server/fleet/clients";
import { getFleetSource } from "@/lib/server/fleet/source";
import { processState } from "@/lib/server/platform/process-state";

/**
 * Certificates change slowly (apid's rotate every 12 h), and a scan costs a handshake and up to
 * three calls per node, so it runs on its own cadence, far slower than the fleet poller.
 */
export const CERT_SCAN_INTERVAL_MS = 5 * 60_000;

interface ScannerState {
  inventory: CertInventory | null;
  inflight: Promise<CertInventory> | null;
  timer: ReturnType<typeof setInterval> | null;
  nextScanAt: number | null;
  /** Overrides for tests; production reads the fleet source. */
  deps: (() => Promise<CertScanDeps>) | null;
}

const g = processState<{ __minosCertScanner?: ScannerState; __minosCertRescans?: () => void }>();

function state(): ScannerState {
  // An upload or a removed cluster changes what there is to scan: rescan at once, not at the next
  // interval. Subscribed on the scanner's first use, once per process (tests reset the state, not
  // this); before any use there is no inventory to refresh, and the first read scans anyway.
  g.__minosCertRescans ??= subscribe("clusters", () => {
    // The scanner reads the source per scan; a failed scan is logged and never fails the upload.
    scanNow().catch((e: unknown) => console.error("[minos] certificate rescan after a cluster change failed", e));
  });
  g.__minosCertScanner ??= { inventory: null, inflight: null, timer: null, nextScanAt: null, deps: null };
  return g.__minosCertScanner;
}

async function fleetDeps(): Promise<CertScanDeps> {
  const source = await getFleetSource();
  return { contexts: source.config?.contexts ?? [], client: (c) => getClusterClient(c.name) };
}

/** Runs a scan now, or joins the one in flight. */
export function scanNow(): Promise<CertInventory> {
  const s = state();
  s.inflight ??= (async () => {
    try {
      const inventory = await scanCertificates(await (s.deps ?? fleetDeps)());
      s.inventory = inventory;
      return inventory;
    } finally {
      s.inflight = null;
      s.nextScanAt = Date.now() + CERT_SCAN_INTERVAL_MS;
    }
  })();
  return s.inflight;
}

/**
 * Starts scanning now and every {@link CERT_SCAN_INTERVAL_MS}, once per process (a second call
 * returns the same stop function's effect). Meant for `instrumentation.ts`; the API works without
 * it, scanning on demand and when the last scan is stale.
 *
 * @returns stops the timer (an in-flight scan finishes).
 */
export function startCertScanner(options: { intervalMs?: number } = {}): () => void {
  const s = state();
  const interval = options.intervalMs ?? CERT_SCAN_INTERVAL_MS;
  if (!s.timer) {
    const run = () => {
      scanNow().catch(logScanFailure);
    };
    run();
    s.timer = setInterval(run, interval);
    // Never keep the process alive for a scan.
    s.timer.unref?.();
  }
  return () => {
    if (s.timer) clearInterval(s.timer);
    s.timer = null;
  };
}

/** How long a request waits for the first scan (or a requested rescan) before answering without it. */
export const CERT_SCAN_WAIT_MS = 8_000;

function logScanFailure(e: unknown) {
  console.error("[minos] certificate scan failed", e);
}

/**
 * The last inventory. Without one, or with `refresh`, a scan runs and the call waits up to
 * `waitMs` for it; past that it answers null (a large or slow fleet: the page says the first scan
 * is running) or the previous inventory. A stale inventory (older than the scan interval, e.g.
 * when no scanner was started) is served at once while a rescan runs behind it.
 */
export async function getCertInventory(options: { refresh?: boolean; waitMs?: number } = {}): Promise<CertInventory | null> {
  const s = state();
  if (options.refresh || !s.inventory) {
    const scan = scanNow();
    scan.catch(logScanFailure);
    const waitMs = options.waitMs ?? CERT_SCAN_WAIT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(resolve, waitMs, null);
    });
    try {
      // A failed scan (logged above) serves the last inventory, or none: never a failed page.
      return (await Promise.race([scan.catch(() => null), timeout])) ?? s.inventory;
    } finally {
      clearTimeout(timer);
    }
  }
  const age = Date.now() - Date.parse(s.inventory.scannedAt);
  if (age > CERT_SCAN_INTERVAL_MS && !s.inflight) scanNow().catch(logScanFailure);
  return s.inventory;
}

/** GET /api/certificates: the inventory filtered by cluster, kind and tier, most urgent first. */
export async function listCertificates(query: CertificatesQuery = {}, options: { waitMs?: number } = {}): Promise<CertificatesResponse> {
  const inventory = (await getCertInventory({ refresh: query.refresh !== undefined, waitMs: options.waitMs })) ?? {
    certificates: [],
    clusters: [],
    errors: [],
    counts: countTiers([]),
    scannedAt: null,
  };
  const certificates = inventory.certificates
    .filter((c) => (!query.cluster || c.cluster === query.cluster) && (!query.kind || c.kind === query.kind) && (!query.tier || c.tier === query.tier))
    .sort(compareUrgency);
  const inCluster = <T extends { cluster: string }>(xs: T[]) => (query.cluster ? xs.filter((x) => x.cluster === query.cluster) : xs);
  const next = state().nextScanAt;
  return {
    certificates,
    clusters: inCluster(inventory.clusters),
    errors: inCluster(inventory.errors),
    counts: countTiers(certificates),
    scannedAt: inventory.scannedAt,
    nextScanAt: next === null ? null : new Date(next).toISOString(),
    scanning: state().inflight !== null,
  };
}

/** For the Overview: the most urgent certificate (of a cluster, or of all), and the tier counts. */
export async function getNearestExpiry(options: { cluster?: string } = {}): Promise<NearestExpiry> {
  const { certificates, counts, scannedAt } = await listCertificates({ cluster: options.cluster });
  const first = certificates[0] ?? null;
  const worst = [...TIER_ORDER].reverse().find((t) => counts[t] > 0) ?? null;
  return { certificate: first, worstTier: worst, counts, scannedAt };
}

/** Test hook: scan with these dependencies instead of the fleet source, from a clean state. */
export function setCertScanDepsForTests(deps: (() => Promise<CertScanDeps>) | null): void {
  const s = state();
  if (s.timer) clearInterval(s.timer);
  g.__minosCertScanner = { inventory: null, inflight: null, timer: null, nextScanAt: null, deps };
}
