import { etcdDefragmentBodySchema } from "@/lib/schemas/etcd";
import { clusterParamsSchema } from "@/lib/schemas/manifests";
import { defragmentEtcd } from "@/lib/server/etcd/service";
import { route } from "@/lib/server/http/route";

// POST /api/clusters/:cluster/etcd/defragment – one member, or all: followers first, the leader last, one at a time; 409 while quorum is degraded
export const POST = route({ role: "operator", params: clusterParamsSchema, body: etcdDefragmentBodySchema }, ({ params, body, actor }) => defragmentEtcd(actor, params.cluster, body.member));
