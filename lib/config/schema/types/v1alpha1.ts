// Field table for the `v1alpha1` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text. The document root and the types both
// sections use are here; the sections' own types are in ./v1alpha1-machine.ts and
// ./v1alpha1-cluster.ts.
import type { TypeTable } from "../table";

import { V1ALPHA1_CLUSTER_TYPES } from "./v1alpha1-cluster";
import { V1ALPHA1_MACHINE_TYPES } from "./v1alpha1-machine";

const V1ALPHA1_SHARED_TYPES: TypeTable = {
  "v1alpha1.Config": {
    fields: {
      version: { t: "enum(v1alpha1)", doc: "Format version of this document: always v1alpha1." },
      debug: { t: "boolean", doc: "Send kernel and service logs to the console (noisy; for troubleshooting)." },
      persist: { t: "boolean", doc: "Keep the config on disk across reboots; must be true." },
      machine: { t: "v1alpha1.MachineConfig", doc: "Settings for this node: its role, secrets, kubelet, network, install and system features." },
      cluster: { t: "v1alpha1.ClusterConfig", doc: "Settings shared by the Kubernetes cluster: endpoint, secrets, CAs and control-plane components." },
    },
  },
  "v1alpha1.PEMEncodedCertificate": {
    fields: {
      crt: { t: "b64pem", doc: "CA certificate, base64 of the PEM text." },
    },
  },
  "v1alpha1.PEMEncodedCertificateAndKey": {
    fields: {
      crt: { t: "b64pem", doc: "Certificate, base64 of the PEM text." },
      key: { t: "b64pem", secret: true, doc: "Private key, base64 of the PEM text; empty (\"\") on workers." },
    },
  },
};

// One table, in type-name order as it always was (the JSON schema lists definitions in this order).
export const V1ALPHA1_TYPES: TypeTable = Object.fromEntries(
  Object.entries({ ...V1ALPHA1_SHARED_TYPES, ...V1ALPHA1_MACHINE_TYPES, ...V1ALPHA1_CLUSTER_TYPES }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
);
