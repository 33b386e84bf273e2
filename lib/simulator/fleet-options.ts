/** The fleet's options: what startFleet accepts, validated and defaulted. */
import { z } from "zod";

import type { LeafSecretsOptions } from "./leaf-secrets";
import { CERT_VALIDITY_HOURS, TALOS_API_PORT } from "../talos/constants";
import { isTalosTag } from "../talos/version";

/** Latest stable Talos at the time of writing (see SUGGESTED_VERSIONS in lib/talos/upgrade.ts). */
export const DEFAULT_TALOS_VERSION = "v1.13.9";

export interface FleetOptions {
  /** Control planes per cluster. */
  controlPlanes: number;
  /** Workers per cluster. */
  workers: number;
  /** Default 1; cluster names "sim-1", "sim-2", … */
  clusters?: number;
  /** Talos version of every node; default {@link DEFAULT_TALOS_VERSION}. */
  version?: string;
  /** Per-node version override, keyed by hostname or address. */
  nodeVersions?: Record<string, string>;
  /** PKI, cluster secrets and talosconfig files live here; reused on the next start. */
  stateDir: string;
  /** Default "127.0.10.1"; node i gets the next loopback address (skipping .0 and .255). */
  firstAddress?: string;
  /** true: every node on 127.0.0.1 with distinct ports instead of its own address. */
  ports?: boolean;
  /** Default 50000 (with ports: true, node i gets basePort+i; 0 = ephemeral). */
  basePort?: number;
  /** Control HTTP API on 127.0.0.1; 0 = ephemeral; default 50099. */
  controlPort?: number;
  /** Default 20. */
  rebootSeconds?: number;
  /** Default 10. */
  bootSeconds?: number;
  /** Delay from RUNNING(ready=false) to ready=true; default 2. */
  readySeconds?: number;
  /** Legacy upgrade time in UPGRADING, and LifecycleService install time; default 5. */
  upgradeSeconds?: number;
  /** ApplyConfiguration processing time (dry runs take a third); default 0.3. */
  applySeconds?: number;
  /** Kubernetes: a new or restarted pod (or kubelet) becomes Ready after this; a deleted pod terminates in it; default readySeconds. */
  podSeconds?: number;
  /** Talos's own drain timeout (legacy upgrade, shutdown); default Talos's 300. */
  talosDrainSeconds?: number;
  /** Default 8760. */
  clientCertValidHours?: number;
  /** Every node's apid server certificate: default a fresh one valid 24 h, as Talos issues it. */
  apidCert?: ApidCertOptions;
  /** Per-node apid certificate, keyed by hostname or address (overrides `apidCert`). */
  nodeApidCerts?: Record<string, ApidCertOptions>;
  /**
   * Validity of the Talos OS CA and the cluster CAs (Kubernetes, aggregator, etcd) when they are
   * created; CAs already in the state directory keep theirs. Default 3650 days, as Talos.
   */
  caValidDays?: number;
  /**
   * Serve etcd and kube-apiserver leaf certificates from the control planes' EtcdSecrets and
   * KubernetesDynamicCerts resources (true, or their lifetimes). Default false: those types are
   * known but empty.
   */
  leafSecrets?: boolean | LeafSecretsOptions;
  /**
   * System extension services every node runs (`iscsid` → service `ext-iscsid`): the only
   * services besides kubelet that Talos lets the API start, stop and restart. Default none.
   */
  extensionServices?: string[];
}

/** The lifetime of a simulated apid server certificate. The simulator never rotates it. */
export interface ApidCertOptions {
  /** Default 24. */
  validHours?: number;
  /** Default: when the fleet starts. Set in the past for a certificate part-way through its life. */
  notBefore?: Date;
}


const positive = z.number().finite().min(0);

const apidCertOptionsSchema = z.object({ validHours: z.number().positive().optional(), notBefore: z.date().optional() });

export const fleetOptionsSchema = z.object({
  controlPlanes: z.number().int().min(1, "at least one control plane per cluster").max(1000),
  workers: z.number().int().min(0).max(5000),
  clusters: z.number().int().min(1).max(50).default(1),
  version: z.string().refine((v) => isTalosTag(v), "must be a Talos version like v1.13.9").default(DEFAULT_TALOS_VERSION),
  nodeVersions: z.record(z.string(), z.string().refine((v) => isTalosTag(v), "must be a Talos version like v1.13.9")).default({}),
  stateDir: z.string().min(1),
  firstAddress: z
    .string()
    .regex(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/, "must be an IPv4 loopback address (127.x.y.z)")
    .refine((a) => a.split(".").every((o) => Number(o) <= 255), "invalid IPv4 address")
    .default("127.0.10.1"),
  ports: z.boolean().default(false),
  basePort: z.number().int().min(0).max(65535).default(TALOS_API_PORT),
  controlPort: z.number().int().min(0).max(65535).default(50099),
  rebootSeconds: positive.default(20),
  bootSeconds: positive.default(10),
  readySeconds: positive.default(2),
  upgradeSeconds: positive.default(5),
  applySeconds: positive.default(0.3),
  podSeconds: positive.optional(),
  talosDrainSeconds: positive.default(300),
  clientCertValidHours: z.number().positive().default(CERT_VALIDITY_HOURS.talosClient),
  apidCert: apidCertOptionsSchema.default({}),
  nodeApidCerts: z.record(z.string(), apidCertOptionsSchema).default({}),
  caValidDays: z.number().positive().optional(),
  leafSecrets: z
    .union([
      z.boolean(),
      z.object({ etcdValidHours: z.number().positive().optional(), kubernetesValidHours: z.number().positive().optional(), notBefore: z.date().optional() }),
    ])
    .default(false),
  extensionServices: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "an extension service name is lowercase letters, digits and dashes")).default([]),
});


export type ResolvedOptions = z.infer<typeof fleetOptionsSchema>;
