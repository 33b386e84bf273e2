/**
 * The legacy MachineService/ImagePull (deprecated upstream for ImageService/Pull, still served up
 * to 1.17): what a Kubernetes upgrade pre-pulls with on nodes before 1.13. As Talos's
 * v1alpha1_images.go: the namespace must be CRI or system (InvalidArgument "invalid namespace …"
 * otherwise), a reference that does not parse or resolve is refused, the reply is one empty
 * ImagePull per node. The pull itself takes a moment and is recorded on the timeline (`image-pull`).
 */
import { status as grpcStatus } from "@grpc/grpc-js";

import { ContainerdNamespace } from "../../third_party/talos-proto/gen/common/common";
import { type ImagePull, ImagePull as ImagePullMsg, type ImagePullRequest } from "../../third_party/talos-proto/gen/machine/machine";
import { invalidArgument, SimError } from "../errors";
import { type HandlerEnv, unary } from "../proxy";

const NAMESPACE_NAMES: Record<number, string> = { [ContainerdNamespace.NS_UNKNOWN]: "NS_UNKNOWN", [ContainerdNamespace.NS_SYSTEM]: "NS_SYSTEM", [ContainerdNamespace.NS_CRI]: "NS_CRI" };

/** Registered in ../services/machine.ts. */
export function legacyImagePull(env: HandlerEnv) {
  return unary<ImagePullRequest, ImagePull>(env, "/machine.MachineService/ImagePull", ImagePullMsg, async (_c, n, req) => {
    if (req.namespace !== ContainerdNamespace.NS_CRI && req.namespace !== ContainerdNamespace.NS_SYSTEM) {
      throw invalidArgument(`invalid namespace ${NAMESPACE_NAMES[req.namespace] ?? String(req.namespace)}`);
    }
    const ref = req.reference.trim();
    if (!/^[a-z0-9]([a-z0-9._\-/:@]*[a-zA-Z0-9._-])?$/.test(ref)) throw invalidArgument(`failed to parse image reference ${JSON.stringify(ref)}`);
    // Images without a tag or digest do not resolve in the simulated registry.
    const name = ref.split("@")[0]!;
    if (!ref.includes("@") && name.lastIndexOf(":") <= name.lastIndexOf("/")) throw new SimError(grpcStatus.NOT_FOUND, `error pulling image: ${ref}: not found`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, n.timing.upgradeMs / 20)));
    n.record({ event: "image-pull", detail: `${req.namespace === ContainerdNamespace.NS_CRI ? "cri" : "system"} ${ref}` });
    return { metadata: undefined };
  });
}
