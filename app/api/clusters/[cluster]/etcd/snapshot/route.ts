import { etcdSnapshotBodySchema } from "@/lib/schemas/etcd";
import { clusterParamsSchema } from "@/lib/schemas/manifests";
import { snapshotEtcd } from "@/lib/server/etcd/service";
import { route } from "@/lib/server/http/route";

// POST /api/clusters/:cluster/etcd/snapshot {member?} – the snapshot's bytes as a download (application/octet-stream)
export const POST = route({ role: "operator", params: clusterParamsSchema, body: etcdSnapshotBodySchema }, ({ params, body, actor, request }) =>
  snapshotEtcd(actor, params.cluster, body.member, request.signal),
);
