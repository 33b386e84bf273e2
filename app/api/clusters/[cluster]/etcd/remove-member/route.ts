import { etcdMemberBodySchema } from "@/lib/schemas/etcd";
import { clusterParamsSchema } from "@/lib/schemas/manifests";
import { removeEtcdMember } from "@/lib/server/etcd/service";
import { route } from "@/lib/server/http/route";

// POST /api/clusters/:cluster/etcd/remove-member {member} – remove a member (asked of another one); 409 when quorum would be lost
export const POST = route({ role: "admin", params: clusterParamsSchema, body: etcdMemberBodySchema }, ({ params, body, actor }) => removeEtcdMember(actor, params.cluster, body.member));
