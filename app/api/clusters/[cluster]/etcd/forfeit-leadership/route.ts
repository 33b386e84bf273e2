import { etcdMemberBodySchema } from "@/lib/schemas/etcd";
import { clusterParamsSchema } from "@/lib/schemas/manifests";
import { forfeitEtcdLeadership } from "@/lib/server/etcd/service";
import { route } from "@/lib/server/http/route";

// POST /api/clusters/:cluster/etcd/forfeit-leadership {member} – the leading member hands leadership to another (Talos picks it)
export const POST = route({ role: "admin", params: clusterParamsSchema, body: etcdMemberBodySchema }, ({ params, body, actor }) => forfeitEtcdLeadership(actor, params.cluster, body.member));
