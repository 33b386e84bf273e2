/**
 * What each certificate Minos finds is for, and who renews it. Facts from Talos's secrets controllers (internal/app/machined/pkg/controllers/secrets):
 * Talos rotates apid's 24 h certificate every 12 h and the kube-apiserver leaves every 6 months
 * (half their life); it reissues etcd leaves only when the node's addresses change; CAs and
 * talosconfig client certificates are never renewed by Talos.
 */

/** A certificate's role in a Talos cluster. */
export type CertRole =
  | "talosconfig-client"
  | "talos-ca"
  | "talos-accepted-ca"
  | "k8s-ca"
  | "k8s-accepted-ca"
  | "aggregator-ca"
  | "aggregator-accepted-ca"
  | "etcd-ca"
  | "apid-server"
  | "etcd-server"
  | "etcd-peer"
  | "etcd-admin"
  | "etcd-apiserver-client"
  | "kube-apiserver"
  | "kube-apiserver-kubelet-client"
  | "front-proxy-client"
  | "other";

/** How Minos presents and tiers certificates of one role. */
export interface CertRoleInfo {
  kind: "leaf" | "ca" | "client";
  purpose: string;
  renewedBy: "talos" | "operator";
  /** Talos reissues it at half its life, so being past half means rotation is stuck. */
  rotatesAtHalfLife: boolean;
  howToRenew: string;
}

const CA_ROTATION = "Talos never renews a CA: plan a rotation well before the expiry";

const ETCD_LEAF =
  "Talos issues it from the etcd CA and reissues it when the node's addresses or hostname change; it otherwise lives as long as the CA allows";

const K8S_LEAF = "Talos reissues it at half its life (every 6 months for the default 1 year); nothing to do unless it is overdue";

export const CERT_ROLES: Record<CertRole, CertRoleInfo> = {
  "talosconfig-client": {
    kind: "client",
    purpose: "talosconfig client certificate",
    renewedBy: "operator",
    rotatesAtHalfLife: false,
    howToRenew:
      "Your credentials: Talos does not renew these. Before the expiry, generate a new talosconfig (talosctl config new --roles <roles> --crt-ttl 8760h against a control plane) and replace this context",
  },
  "talos-ca": {
    kind: "ca",
    purpose: "Talos API CA",
    renewedBy: "operator",
    rotatesAtHalfLife: false,
    howToRenew: `${CA_ROTATION}: talosctl rotate-ca --talos --kubernetes=false --dry-run=false (issues a new talosconfig too)`,
  },
  "talos-accepted-ca": {
    kind: "ca",
    purpose: "Accepted Talos API CA",
    renewedBy: "operator",
    rotatesAtHalfLife: false,
    howToRenew: "An extra trusted CA (machine.acceptedCAs): drop it from the config once no client depends on it",
  },
  "k8s-ca": {
    kind: "ca",
    purpose: "Kubernetes CA",
    renewedBy: "operator",
    rotatesAtHalfLife: false,
    howToRenew: `${CA_ROTATION}: talosctl rotate-ca --kubernetes --talos=false --dry-run=false`,
  },
  "k8s-accepted-ca": {
    kind: "ca",
    purpose: "Accepted Kubernetes CA",
    renewedBy: "operator",
    rotatesAtHalfLife: false,
    howToRenew: "An extra trusted CA (cluster.acceptedCAs): drop it from the config once nothing signed by it is in use",
  },
  "aggregator-ca": {
    kind: "ca",
    purpose: "Kubernetes aggregator (front-proxy) CA",
    renewedBy: "operator",
    rotatesAtHalfLife: false,
    howToRenew: `${CA_ROTATION}: put a new CA in cluster.aggregatorCA on every control plane, keeping the old one accepted until the front-proxy certificate is reissued`,
  },
  "aggregator-accepted-ca": {
    kind: "ca",
    purpose: "Accepted aggregator CA",
    renewedBy: "operator",
    rotatesAtHalfLife: false,
    howToRenew: "An extra trusted CA: drop it from the config once the front-proxy certificate is reissued",
  },
  "etcd-ca": {
    kind: "ca",
    purpose: "etcd CA",
    renewedBy: "operator",
    rotatesAtHalfLife: false,
    howToRenew: `${CA_ROTATION}: replace cluster.etcd.ca on every control plane in one planned change`,
  },
  "apid-server": {
    kind: "leaf",
    purpose: "Talos API server (apid)",
    renewedBy: "talos",
    rotatesAtHalfLife: true,
    howToRenew:
      "Talos issues a new one every 12 h (24 h life). If it is past half its life, check machined (and trustd on the control planes for workers) on that node",
  },
  "etcd-server": { kind: "leaf", purpose: "etcd server", renewedBy: "talos", rotatesAtHalfLife: false, howToRenew: ETCD_LEAF },
  "etcd-peer": { kind: "leaf", purpose: "etcd peer", renewedBy: "talos", rotatesAtHalfLife: false, howToRenew: ETCD_LEAF },
  "etcd-admin": { kind: "leaf", purpose: "etcd admin client", renewedBy: "talos", rotatesAtHalfLife: false, howToRenew: ETCD_LEAF },
  "etcd-apiserver-client": {
    kind: "leaf",
    purpose: "kube-apiserver etcd client",
    renewedBy: "talos",
    rotatesAtHalfLife: false,
    howToRenew: ETCD_LEAF,
  },
  "kube-apiserver": { kind: "leaf", purpose: "kube-apiserver serving", renewedBy: "talos", rotatesAtHalfLife: true, howToRenew: K8S_LEAF },
  "kube-apiserver-kubelet-client": {
    kind: "leaf",
    purpose: "kube-apiserver kubelet client",
    renewedBy: "talos",
    rotatesAtHalfLife: true,
    howToRenew: K8S_LEAF,
  },
  "front-proxy-client": { kind: "leaf", purpose: "front-proxy client", renewedBy: "talos", rotatesAtHalfLife: true, howToRenew: K8S_LEAF },
  other: {
    kind: "leaf",
    purpose: "Certificate",
    renewedBy: "talos",
    rotatesAtHalfLife: false,
    howToRenew: "Managed by Talos; Minos does not know its rotation schedule",
  },
};

/**
 * When one certificate shows up in several roles (the talosconfig CA is also `machine.ca`), the
 * first role in this order names it.
 */
export const ROLE_PRECEDENCE: readonly CertRole[] = Object.keys(CERT_ROLES) as CertRole[];
