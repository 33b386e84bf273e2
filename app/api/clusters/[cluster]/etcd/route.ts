import { clusterParamsSchema } from "@/lib/schemas/manifests";
import { getEtcd } from "@/lib/server/etcd/service";
import { route } from "@/lib/server/http/route";

// GET /api/clusters/:cluster/etcd – members (leader, DB size and in use, raft index and term, errors, alarms) and the quorum
export const GET = route({ role: "viewer", params: clusterParamsSchema }, ({ params }) => getEtcd(params.cluster));
