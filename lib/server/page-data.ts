import "server-only";

import type { AuditEntry } from "@/lib/schemas/audit";
import { alertsQuerySchema, deliveriesQuerySchema, type AlertRulesResponse, type AlertsQuery, type AlertsResponse, type ChannelsResponse, type DeliveriesQuery, type DeliveriesResponse, type SilencesResponse } from "@/lib/schemas/alerts";
import { listChannels, listDeliveryLog } from "@/lib/server/alerts/delivery/service";
import { listAlerts, listRules, listSilencesFor } from "@/lib/server/alerts/service";
import type { Backup, BackupSchedule } from "@/lib/schemas/backups";
import { listBackupSchedules, listBackupsFor } from "@/lib/server/backups/service";
import type { ApiToken, Invitation, SessionInfo, User } from "@/lib/schemas/auth";
import type { CertificatesQuery, CertificatesResponse, NearestExpiry } from "@/lib/schemas/certs";
import type { ClustersResponse, NodeDetail, NodesResponse } from "@/lib/schemas/fleet";
import type { KubeconfigInfo } from "@/lib/schemas/kubernetes";
import type { ManifestResponse } from "@/lib/schemas/manifests";
import type { UpgradePlan, UpgradePlanSummary } from "@/lib/schemas/upgrades";
import { listAudit } from "@/lib/server/platform/audit";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { grantedActor, type PageGrant } from "@/lib/server/auth/page";
import { getInvitations, getTokens, getUsers, sessionInfo } from "@/lib/server/auth/service";
import { getNearestExpiry, listCertificates } from "@/lib/server/certs/service";
import { getDb } from "@/lib/server/platform/db/db";
import { listClusters } from "@/lib/server/fleet/clusters";
import { getNodeDetailOrThrow, listNodes } from "@/lib/server/fleet/service";
import { getKubeconfigInfo } from "@/lib/server/kubernetes/service";
import { defaultManifestDeps } from "@/lib/server/manifests/deps";
import { getManifest } from "@/lib/server/manifests/service";
import { isAppError } from "@/lib/server/platform/errors";
import { startUpgradeRunner } from "@/lib/server/upgrades";
import type { KubernetesUpgradePlan, KubernetesUpgradeSummary } from "@/lib/schemas/kubernetes-upgrades";
import { startKubernetesUpgradeRunner } from "@/lib/server/kubernetes-upgrades/service";
import type { BulkListResponse, BulkRun } from "@/lib/schemas/bulk";
import { getBulkRun, listBulkRuns } from "@/lib/server/bulk/service";
import type { CaRotation, CaRotationSummary } from "@/lib/schemas/ca-rotation";
import { startCaRotationRunner } from "@/lib/server/ca-rotation/service";

/**
 * Everything a page or the shell reads on the server, and only through here: each function
 * demands the grant `requirePageActor` hands out after checking this request's session, and the
 * role its data needs, the same role the matching API route demands. A page that forgot the
 * check cannot read anything (and a test holds every page to calling it first).
 */

export async function pageNodes(grant: PageGrant, cluster?: string): Promise<NodesResponse> {
  grantedActor(grant, "viewer");
  return listNodes(cluster);
}

export async function pageNodeDetail(grant: PageGrant, id: string): Promise<NodeDetail> {
  grantedActor(grant, "viewer");
  return getNodeDetailOrThrow(id);
}

/**
 * Each cluster's kubeconfig info (as GET /api/clusters/:cluster/kubeconfig answers), for those
 * that answer within `waitMs`: a Kubernetes API that is slow to refuse must not hold the page;
 * the browser asks again for the others. A failing cluster is left out the same way.
 */
export async function pageKubeconfigInfos(grant: PageGrant, clusters: readonly string[], waitMs = 1_500): Promise<KubeconfigInfo[]> {
  grantedActor(grant, "viewer");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), waitMs);
  });
  const infos = await Promise.all(clusters.map((c) => Promise.race([getKubeconfigInfo(c).catch(() => null), late])));
  clearTimeout(timer);
  return infos.filter((i): i is KubeconfigInfo => i !== null);
}

export async function pageClusters(grant: PageGrant): Promise<ClustersResponse> {
  grantedActor(grant, "viewer");
  return listClusters();
}

/** The cluster's latest manifest, redacted (as GET …/manifest answers); null before adoption. */
export async function pageClusterManifest(grant: PageGrant, cluster: string): Promise<ManifestResponse | null> {
  grantedActor(grant, "viewer");
  try {
    return await getManifest(defaultManifestDeps(), cluster, { reveal: false });
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") return null;
    throw e;
  }
}

/** Each cluster's latest manifest revision number (null: not adopted), without reading the manifests. */
export async function pageManifestRevisions(grant: PageGrant, clusters: readonly string[]): Promise<Record<string, number | null>> {
  grantedActor(grant, "viewer");
  const repo = defaultManifestDeps().repo;
  const entries = await Promise.all(clusters.map(async (c) => [c, (await repo.latest(c))?.revision ?? null] as const));
  return Object.fromEntries(entries);
}

export async function pageCertificates(grant: PageGrant, query: CertificatesQuery = {}): Promise<CertificatesResponse> {
  grantedActor(grant, "viewer");
  return listCertificates(query);
}

export async function pageNearestExpiry(grant: PageGrant, options: { cluster?: string } = {}): Promise<NearestExpiry> {
  grantedActor(grant, "viewer");
  return getNearestExpiry(options);
}

export async function pageUpgradePlan(grant: PageGrant, id: string): Promise<UpgradePlan | null> {
  grantedActor(grant, "viewer");
  return startUpgradeRunner().get(id);
}

export async function pageUpgradePlans(grant: PageGrant, opts: { limit: number }): Promise<UpgradePlanSummary[]> {
  grantedActor(grant, "viewer");
  return startUpgradeRunner().list(opts);
}

export async function pageKubernetesUpgrade(grant: PageGrant, id: string): Promise<KubernetesUpgradePlan | null> {
  grantedActor(grant, "viewer");
  return startKubernetesUpgradeRunner().get(id);
}

export async function pageKubernetesUpgrades(grant: PageGrant, opts: { limit: number }): Promise<KubernetesUpgradeSummary[]> {
  grantedActor(grant, "viewer");
  return startKubernetesUpgradeRunner().list(opts);
}

/** A bulk run, or null when there is none by that id. */
export async function pageBulkRun(grant: PageGrant, id: string): Promise<BulkRun | null> {
  grantedActor(grant, "viewer");
  try {
    return await getBulkRun({ db: getDb() }, id);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") return null;
    throw e;
  }
}

export async function pageBulkRuns(grant: PageGrant, opts: { limit: number }): Promise<BulkListResponse> {
  grantedActor(grant, "viewer");
  return listBulkRuns({ db: getDb() }, opts);
}

export async function pageCaRotation(grant: PageGrant, id: string): Promise<CaRotation | null> {
  grantedActor(grant, "viewer");
  return startCaRotationRunner().get(id);
}

export async function pageCaRotations(grant: PageGrant, opts: { limit: number }): Promise<CaRotationSummary[]> {
  grantedActor(grant, "viewer");
  return startCaRotationRunner().list(opts);
}

export async function pageAudit(grant: PageGrant, opts: { limit: number }): Promise<AuditEntry[]> {
  grantedActor(grant, "viewer");
  return listAudit(getDb(), opts);
}

/** The signed-in person's own session, for the user menu. */
export async function pageSession(grant: PageGrant): Promise<SessionInfo> {
  return sessionInfo(grantedActor(grant, "viewer"), defaultAuthDeps());
}

/** The Access page's lists: people, open invitations and API tokens, for admins only. */
export async function pageAccessLists(grant: PageGrant): Promise<{ users: { users: User[] }; invitations: { invitations: Invitation[] }; tokens: { tokens: ApiToken[] } }> {
  grantedActor(grant, "admin");
  const deps = defaultAuthDeps();
  return { users: await getUsers(deps), invitations: await getInvitations(deps), tokens: await getTokens(deps) };
}

/** The Backups page: backups (of one cluster or all) and every cluster's schedule, as GET /api/backups and /api/backups/schedules answer. */
export async function pageBackups(grant: PageGrant, cluster?: string): Promise<{ backups: { backups: Backup[] }; schedules: { schedules: BackupSchedule[] } }> {
  grantedActor(grant, "viewer");
  return { backups: await listBackupsFor(cluster), schedules: await listBackupSchedules() };
}

/** Alerts as GET /api/alerts answers them for this query (the defaults filled in the same way). */
export async function pageAlerts(grant: PageGrant, query: Partial<AlertsQuery> = {}): Promise<AlertsResponse> {
  grantedActor(grant, "viewer");
  return listAlerts(alertsQuerySchema.parse(query));
}

/** The alert rule settings page, the channels (redacted), the silences, the delivery log: as their GET routes answer. */
export async function pageAlertSettings(
  grant: PageGrant,
  what: { rules?: boolean; channels?: boolean; silences?: boolean; deliveries?: Partial<DeliveriesQuery> },
): Promise<{ rules?: AlertRulesResponse; channels?: ChannelsResponse; silences?: SilencesResponse; deliveries?: DeliveriesResponse }> {
  grantedActor(grant, "viewer");
  const db = getDb();
  return {
    ...(what.rules ? { rules: await listRules() } : {}),
    ...(what.channels ? { channels: await listChannels({ db }) } : {}),
    ...(what.silences ? { silences: await listSilencesFor("all") } : {}),
    ...(what.deliveries ? { deliveries: await listDeliveryLog(deliveriesQuerySchema.parse(what.deliveries), { db }) } : {}),
  };
}
