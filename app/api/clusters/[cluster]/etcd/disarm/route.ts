import { clusterParamsSchema } from "@/lib/schemas/manifests";
import { disarmEtcd } from "@/lib/server/etcd/service";
import { route } from "@/lib/server/http/route";

// POST /api/clusters/:cluster/etcd/disarm – disarm every etcd alarm of the cluster (NOSPACE, CORRUPT); answers the alarms disarmed
export const POST = route({ role: "operator", params: clusterParamsSchema }, ({ params, actor }) => disarmEtcd(actor, params.cluster));
