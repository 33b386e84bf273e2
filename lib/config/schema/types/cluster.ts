// Field table for the `cluster` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const CLUSTER_TYPES: TypeTable = {
  "cluster.DiscoveryIdentityConfigV1Alpha1": {
    fields: {
      clusterID: { t: "string", since: "1.14", req: true, doc: "Unique ID of the cluster for discovery (base64, 32 bytes)." },
      clusterSecret: { t: "string", since: "1.14", req: true, secret: true, doc: "Secret encrypting discovery data (base64, 32 bytes)." },
    },
  },
  "cluster.DiscoveryServiceConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "Name of the discovery service entry." },
      endpoint: { t: "url(http|https|grpc)", since: "1.14", req: true, doc: "Discovery service URL, e.g. https://discovery.talos.dev/." },
    },
  },
};
