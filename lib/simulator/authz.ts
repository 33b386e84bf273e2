/**
 * Role checks as Talos does them (apid's authz injector, pkg/grpc/middleware/authz, and machined's rule table): apid reads the roles from the client
 * certificate's Subject O values (and rejects certs whose EKU is not exactly clientAuth);
 * machined enforces a per-method minimum role, defaulting to admin for unlisted methods.
 */
import type { PeerCertificate } from "node:tls";

import { TALOS_ROLES } from "../talos/constants";

const { admin: ROLE_ADMIN, operator: ROLE_OPERATOR, reader: ROLE_READER, etcdBackup: ROLE_ETCD_BACKUP, imageVerifier: ROLE_IMAGE_VERIFIER } = TALOS_ROLES;

/** gRPC metadata key apid trusts for roles when the caller holds os:impersonator. */
export const ROLE_METADATA_KEY = "talos-role";

const OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

const MS = "/machine.MachineService/";

const READER_METHODS = new Set<string>([
  ...[
    "Version", "Hostname", "Memory", "LoadAvg", "SystemStat", "CPUInfo", "CPUFreqStats", "DiskStats", "DiskUsage",
    "Mounts", "NetworkDeviceStats", "Netstat", "Processes", "ServiceList", "Containers", "Stats", "Logs",
    "LogsContainers", "Dmesg", "Events", "List", "ImageList", "EtcdMemberList", "EtcdStatus", "EtcdAlarmList",
  ].map((m) => MS + m),
  "/cluster.ClusterService/HealthCheck",
  "/machine.ImageService/List",
  "/machine.ImageService/Verify",
  "/machine.StorageService/Statfs",
  "/storage.StorageService/Disks",
  "/time.TimeService/Time",
  "/time.TimeService/TimeCheck",
  "/inspect.InspectService/ControllerRuntimeDependencies",
  // COSI reads: the access filter additionally hides sensitive types from non-admins.
  "/cosi.resource.State/Get",
  "/cosi.resource.State/List",
  "/cosi.resource.State/Watch",
]);

const OPERATOR_METHODS = new Set<string>([
  ...[
    "Reboot", "Shutdown", "Restart", "ServiceStart", "ServiceStop", "ServiceRestart", "EtcdAlarmDisarm",
    "EtcdDefragment", "EtcdSnapshot", "PacketCapture", "ImagePull",
  ].map((m) => MS + m),
  "/machine.ImageService/Pull",
]);

const EXTRA_ROLE_METHODS: Record<string, readonly string[]> = {
  [MS + "EtcdSnapshot"]: [ROLE_ETCD_BACKUP],
  [MS + "EtcdMemberList"]: [ROLE_ETCD_BACKUP],
  [MS + "EtcdStatus"]: [ROLE_ETCD_BACKUP],
  [MS + "EtcdAlarmList"]: [ROLE_ETCD_BACKUP],
  "/machine.ImageService/Verify": [ROLE_IMAGE_VERIFIER],
};

export type MinimumRole = "reader" | "operator" | "admin";

/** The minimum of reader/operator/admin a method needs; anything unlisted is admin (FallbackRoles). */
export function minimumRole(method: string): MinimumRole {
  if (READER_METHODS.has(method)) return "reader";
  if (OPERATOR_METHODS.has(method)) return "operator";
  return "admin";
}

/** Whether a caller with `roles` may call `method` (full path `/pkg.Service/Method`). */
export function isAuthorized(roles: ReadonlySet<string>, method: string): boolean {
  if (roles.has(ROLE_ADMIN)) return true;
  const min = minimumRole(method);
  if (min === "reader" && (roles.has(ROLE_READER) || roles.has(ROLE_OPERATOR))) return true;
  if (min === "operator" && roles.has(ROLE_OPERATOR)) return true;
  return (EXTRA_ROLE_METHODS[method] ?? []).some((r) => roles.has(r));
}

/** Sensitive COSI resources need os:admin. */
export function canReadSensitive(roles: ReadonlySet<string>): boolean {
  return roles.has(ROLE_ADMIN);
}

/** Node reports multi-valued subject fields as an array, single ones as a string. */
function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Roles = the Subject O values of the leaf certificate; empty values (old certs) are ignored. */
export function rolesFromCertificate(cert: PeerCertificate): string[] {
  return asList(cert.subject?.O as string | string[] | undefined).filter((o) => o.trim() !== "");
}

/** apid's verifyExtKeyUsage: the leaf's EKU set must be exactly [clientAuth]. */
export function hasExactlyClientAuthEku(cert: PeerCertificate): boolean {
  const eku = cert.ext_key_usage ?? [];
  return eku.length === 1 && eku[0] === OID_CLIENT_AUTH;
}
