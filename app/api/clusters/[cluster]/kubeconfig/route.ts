import { clusterParamsSchema } from "@/lib/schemas/manifests";
import { kubeconfigUploadSchema } from "@/lib/schemas/kubernetes";
import { route } from "@/lib/server/http/route";
import { deleteClusterKubeconfig, getKubeconfigInfo, putClusterKubeconfig } from "@/lib/server/kubernetes/service";

// GET /api/clusters/:cluster/kubeconfig – where the cluster's Kubernetes credentials come from and whether they work (never the file)
export const GET = route({ role: "viewer", params: clusterParamsSchema }, ({ params }) => getKubeconfigInfo(params.cluster));

// PUT /api/clusters/:cluster/kubeconfig – upload a kubeconfig (checked: inline credentials, https, no plugins), sealed at rest, audited
export const PUT = route({ role: "admin", rateLimit: "manage", params: clusterParamsSchema, body: kubeconfigUploadSchema, maxBodyBytes: 512 * 1024 }, ({ params, body, actor }) =>
  putClusterKubeconfig(actor, params.cluster, body.kubeconfig),
);

// DELETE /api/clusters/:cluster/kubeconfig – remove the uploaded kubeconfig; Minos asks Talos for one again
export const DELETE = route({ role: "admin", rateLimit: "manage", params: clusterParamsSchema }, ({ params, actor }) => deleteClusterKubeconfig(actor, params.cluster));
